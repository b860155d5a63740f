"""Run the real CLI as a subprocess under memory and time limits (shared by the hardening tests)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 3 << 30  # address space, not RSS: numpy/arrow/BLAS reserve more than they touch
TIME_LIMIT = 30


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli_env() -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.pop("EMBEDLAB_DEBUG", None)
    return env


def run_cli(*argv: str, timeout: float = TIME_LIMIT, env: dict | None = None) -> Run:
    """``python -m embedlab.core.cli ARGV``, RLIMIT_AS and a time limit
    (``env``: extra environment variables, e.g. a small ``EMBEDLAB_MAX_EVENTS``)."""
    proc = subprocess.run(
        [sys.executable, "-m", "embedlab.core.cli", *argv],
        capture_output=True,
        text=True,
        env={**cli_env(), **(env or {})},
        preexec_fn=_limit_memory,
        timeout=timeout,
        cwd=ROOT,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def start_cli(*argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "embedlab.core.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=cli_env(),
        cwd=ROOT,
    )


def assert_contract(run: Run) -> None:
    """Exit 0 or 2; a failure is exactly one line on stderr; never a traceback."""
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code in (0, 2), (run.code, run.stderr)
    if run.code == 2:
        assert len(run.lines) == 1, run.stderr
