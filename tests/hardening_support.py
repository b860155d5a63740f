"""Run the real CLI as a subprocess under memory and CPU limits (shared by the hardening tests).

The limits are the process's own resources, never the wall clock: a run on a loaded machine takes
longer but uses the same CPU seconds, so only a run that really loops or trains on is stopped
(SIGXCPU), whatever else the machine is doing."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 3 << 30  # address space, not RSS: numpy/arrow/BLAS reserve more than they touch
CPU_LIMIT = 120  # CPU seconds of one CLI run (a fuzzed run needs ~2; one BLAS thread, see cli_env)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def limits(cpu_seconds: int = CPU_LIMIT):
    """A ``preexec_fn`` that caps the child's address space and CPU time."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))

    return apply


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


def run_cli(*argv: str, cpu_seconds: int = CPU_LIMIT, env: dict | None = None) -> Run:
    """``python -m embedlab.core.cli ARGV`` under RLIMIT_AS and RLIMIT_CPU, stdin closed
    (``env``: extra environment variables, e.g. a small ``EMBEDLAB_MAX_EVENTS``)."""
    proc = subprocess.run(
        [sys.executable, "-m", "embedlab.core.cli", *argv],
        capture_output=True,
        text=True,
        env={**cli_env(), **(env or {})},
        preexec_fn=limits(cpu_seconds),
        stdin=subprocess.DEVNULL,
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
    assert run.code != -signal.SIGXCPU, f"ran out of its CPU seconds: {run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code in (0, 2), (run.code, run.stderr)
    if run.code == 2:
        assert len(run.lines) == 1, run.stderr


# The real CLI, run by test code that pauses it at one moment: right after a folder write's first
# rename (the old folder moved to its hidden ``.NAME.old-*`` name, the new one not yet in place) it
# writes "x" to the READY pipe and blocks reading the WAIT pipe, so a test can kill it exactly
# there without sleeping.  Argument 1 and 2 are the two inherited pipe ends; the rest go to the
# CLI.  (Only os.rename is wrapped, in the CLI's own process; the product has no test hook.)
PAUSED_AT_SWAP = """
import os, runpy, sys
ready, wait = int(sys.argv.pop(1)), int(sys.argv.pop(1))
real_rename = os.rename

def rename(src, dst, *args, **kwargs):
    real_rename(src, dst, *args, **kwargs)
    name = os.path.basename(os.fspath(dst))
    if name.startswith(".") and ".old-" in name:
        os.write(ready, b"x")
        os.read(wait, 1)

os.rename = rename
sys.argv[0] = "embedlab"
runpy.run_module("embedlab.core.cli", run_name="__main__", alter_sys=True)
"""
