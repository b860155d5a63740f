"""``embedlab dashboard``: start the Streamlit dashboard, forward signals, leave nothing running."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

GRACE_SECONDS = 10.0


def register(sub) -> None:
    """Add ``dashboard`` to ``sub``; arguments other than ``--workspace`` go to
    ``streamlit run``."""
    p = sub.add_parser(
        "dashboard",
        help="start the Streamlit dashboard (--workspace DIR keeps stored sets; "
        "other args go to streamlit, e.g. --server.port 8502)",
    )
    p.add_argument("streamlit_args", nargs="*", help="passed to `streamlit run` unchanged")
    p.set_defaults(run=run_dashboard)


def workspace_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Split ``--workspace DIR`` and ``--workspace-mb N`` from the arguments meant for streamlit."""
    p = argparse.ArgumentParser(prog="embedlab dashboard", add_help=False)
    p.add_argument(
        "--workspace", help="folder of stored sets and logs (default: the user's data folder)"
    )
    p.add_argument(
        "--workspace-mb", type=float, help="size cap of the workspace in MB (default 2048)"
    )
    return p.parse_known_args(argv)


def run_dashboard(args) -> int:
    """Run streamlit from the project folder (so its .streamlit/config.toml applies) as a child
    process; SIGTERM/SIGINT are forwarded to it, and it is killed if it outlives a grace period."""
    ours, rest = workspace_args(args.streamlit_args)
    root = Path(__file__).resolve().parents[2]
    env = os.environ.copy()
    if ours.workspace:
        env["EMBEDLAB_WORKSPACE"] = str(Path(ours.workspace).expanduser().resolve())
    if ours.workspace_mb:
        env["EMBEDLAB_WORKSPACE_MB"] = str(ours.workspace_mb)
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "dashboard" / "app.py"), *rest]
    child = subprocess.Popen(cmd, env=env, cwd=root)
    return supervise(child)


def supervise(child: subprocess.Popen) -> int:
    """Wait for ``child``, passing SIGTERM/SIGINT on; returns its exit code (128+signal if
    killed)."""
    received: list[int] = []

    def forward(signum, _frame):
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = child.wait(timeout=GRACE_SECONDS if received else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()  # it ignored the signal for the whole grace period
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 + received[0] if received and code < 0 else code
