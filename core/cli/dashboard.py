"""``embedlab dashboard``: start the Streamlit dashboard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def register(sub) -> None:
    """Add ``dashboard`` to ``sub``; its arguments go to ``streamlit run`` unchanged."""
    p = sub.add_parser("dashboard", help="start the Streamlit dashboard (extra args go to streamlit, "
                                        "e.g. --server.port 8502)")
    p.add_argument("streamlit_args", nargs="*", help="passed to `streamlit run` unchanged")
    p.set_defaults(run=run_dashboard)


def run_dashboard(args) -> int:
    """Run from the project folder so its .streamlit/config.toml (upload limit) applies."""
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "dashboard" / "app.py"), *args.streamlit_args]
    return subprocess.call(cmd, env=os.environ.copy(), cwd=root)
