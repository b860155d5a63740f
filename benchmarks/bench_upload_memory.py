"""The dashboard server's memory under repeated hostile uploads (issue 23): a real server
(``embedlab dashboard`` on a free 127.0.0.1 port, its own workspace), real Chromium (Playwright)
uploading a 180 MB CSV of 10,000 columns on the Data page and validating it, five times, each in a
fresh browser context (a new visitor).  After each upload it records the resident memory (VmRSS)
of the Streamlit process and of the whole process tree.

    nice python benchmarks/bench_upload_memory.py [--file wide.csv] [--uploads 5]

The file is written once (cached in /tmp).  The figure that matters is the growth: the server's
memory should stay flat across uploads (per-upload: the reader's bound by bytes and fields and a
bounded preview; per-server: one log parsed at a time, ``core.limits.reading_slot``).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, FLAGS  # noqa: E402 - the tests' Chromium and its flags


def wide_csv(path: Path, columns: int = 10_000, size: int = 180 << 20) -> Path:
    if path.exists():
        return path
    tail = ("1," * (columns - 3) + "1\n").encode()
    with open(path.with_suffix(".part"), "wb") as f:
        f.write((",".join(["user", "item"] + [f"c{i}" for i in range(2, columns)]) + "\n").encode())
        i = 0
        while f.tell() < size:
            f.write(f"u{i % 500},i{i % 100},".encode() + tail)
            i += 1
    path.with_suffix(".part").replace(path)
    return path


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def start_server(workspace: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "embedlab.core.cli", "dashboard", "--workspace", str(workspace)]
        + ["--server.headless", "true", "--server.port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def upload(browser, url: str, path: Path) -> float:
    """One visitor: upload ``path`` as a log, wait for the preview, validate; seconds taken."""
    t0 = time.perf_counter()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{url}/data")
        page.get_by_role("tab", name="Upload a log").click()
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Interaction log")
        uploader.locator("input[type=file]").set_input_files(str(path))
        page.get_by_text(f"Preview of {path.name}").wait_for(timeout=600_000)
        page.get_by_role("button", name="Validate log").click()
        page.get_by_text(f"{path.name} is ready to train").wait_for(timeout=600_000)
    finally:
        context.close()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=str(Path(tempfile.gettempdir()) / "embedlab-wide10k.csv"))
    ap.add_argument("--uploads", type=int, default=5)
    args = ap.parse_args()
    path = wide_csv(Path(args.file))
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as ws:
        proc, url = start_server(Path(ws))
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                pids = tree(proc.pid)
                rows.append({"upload": 0, "server_mb": round(sum(map(rss_mb, pids)))})
                for i in range(1, args.uploads + 1):
                    seconds = upload(browser, url, path)
                    pids = tree(proc.pid)
                    total = sum(map(rss_mb, pids))
                    rows.append(
                        {"upload": i, "seconds": round(seconds, 1), "server_mb": round(total)}
                    )
                    print(json.dumps(rows[-1]), flush=True)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    peak = max(r["server_mb"] for r in rows)
    print(
        json.dumps(
            {
                "file_mb": path.stat().st_size >> 20,
                "start_mb": rows[0]["server_mb"],
                "after_first_mb": rows[1]["server_mb"],
                "after_last_mb": rows[-1]["server_mb"],
                "peak_after_upload_mb": peak,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
