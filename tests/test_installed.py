"""The installed package, as a user gets it: a wheel built from this checkout, installed into a
fresh virtual environment (``--system-site-packages``, so the dependencies need no download), and
``embedlab dashboard`` started from a folder that is not the checkout, driven in Chromium.

Everything this module writes goes under its temporary folders: the source is copied before the
wheel is built (a build writes ``build/`` and ``*.egg-info`` beside the source), and pip, Python,
Streamlit and the dashboard get a temporary home, cache and workspace.
"""

import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.test_browser import CHROMIUM, FLAGS, free_port, grid_cells, wait_healthy
from tests.test_map_browser import open_map

SOURCES = ("pyproject.toml", "README.md", "core", "dashboard", "sample_data")
TOKEN = "team-token-for-the-wheel-test-42"
TCP_LISTEN = "0A"


def sandbox_env(root: Path) -> dict[str, str]:
    """The environment of every process this module starts: the caller's, minus anything that
    would import the checkout, with home, caches and temporary files under ``root``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env = {k: v for k, v in env.items() if not k.startswith(("STREAMLIT_", "EMBEDLAB_"))}
    places = {
        "HOME": "home",
        "TMPDIR": "tmp",
        "PIP_CACHE_DIR": "pip-cache",
        "XDG_DATA_HOME": "data",
        "XDG_CACHE_HOME": "cache",
        "XDG_CONFIG_HOME": "config",
        "EMBEDLAB_CACHE": "embedlab-cache",
        "NUMBA_CACHE_DIR": "numba",
        "MPLCONFIGDIR": "mpl",
    }
    for name, sub in places.items():
        (root / sub).mkdir(exist_ok=True)
        env[name] = str(root / sub)
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PIP_NO_INPUT": "1"}


def run(cmd: list, env: dict, cwd: Path, timeout: float = 600) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


class Venv:
    """A fresh virtual environment holding the wheel, and a working folder outside the checkout."""

    def __init__(self, root: Path):
        self.root = root
        self.env = sandbox_env(root)
        self.work = root / "elsewhere"
        self.work.mkdir()
        self.bin = root / "venv" / "bin"

    def build(self) -> Path:
        src = self.root / "src"
        src.mkdir()
        for name in SOURCES:
            if (ROOT / name).is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                shutil.copytree(ROOT / name, src / name, ignore=ignore)
            else:
                shutil.copy2(ROOT / name, src / name)
        dist = self.root / "dist"
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, src], self.env, src)
        (wheel,) = dist.glob("embedlab-*.whl")
        venv = [sys.executable, "-m", "venv", "--system-site-packages", self.root / "venv"]
        run(venv, self.env, self.work)
        pip = [self.bin / "python", "-m", "pip", "install", "--no-index", "--no-deps"]
        run([*pip, "--force-reinstall", wheel], self.env, self.work)
        return wheel

    def python(self, code: str) -> str:
        return run([self.bin / "python", "-c", code], self.env, self.work).strip()


class Dashboard:
    """``embedlab dashboard`` of the virtual environment, from its working folder; its output
    (the launcher's and Streamlit's) goes to a log file."""

    def __init__(self, venv: Venv, name: str, *args: str, env: dict | None = None):
        self.port = free_port()
        self.log = venv.root / f"{name}.log"
        self.args = [*args, "--port", str(self.port), "--server.headless", "true"]
        self.venv, self.extra_env = venv, env or {}
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Dashboard":
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [str(self.venv.bin / "embedlab"), "dashboard", *self.args],
                cwd=self.venv.work,
                env={**self.venv.env, **self.extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_healthy(self.url, self.proc, timeout=120)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def output(self) -> str:
        return self.log.read_text()


def listening(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table, width in (("tcp", 4), ("tcp6", 16)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == TCP_LISTEN and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)  # 32-bit words in the machine's byte order
                step = -1 if sys.byteorder == "little" else 1
                words = b"".join(raw[i : i + 4][::step] for i in range(0, width, 4))
                found.add(str(ipaddress.ip_address(words)))
    return found


def non_loopback_address() -> str | None:
    """This machine's address on its default route (a UDP 'connect' sends nothing), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never contacted
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address


def own(url: str, server: str) -> bool:
    """Whether the browser's request for ``url`` stays on ``server`` (or in the page itself)."""
    return url.startswith((server + "/", "data:", "blob:", "about:"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    env = Venv(tmp_path_factory.mktemp("installed"))
    env.build()
    return env


@pytest.fixture(scope="module")
def browser(venv):
    """Chromium with the sandbox's home (it writes crash-report settings and dconf there)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, env=venv.env)
        yield b
        b.close()


def test_the_wheel_installs_its_own_copy_with_the_sample_data(venv):
    where = venv.python(
        "import embedlab.core, embedlab.dashboard, embedlab.sample_data;"
        "from embedlab.core.sample_files import sample_file;"
        "print(embedlab.core.__file__, embedlab.dashboard.__file__, "
        "sample_file('interactions.csv'), sample_file('items.csv'), sep='\\n')"
    )
    site = venv.root / "venv" / "lib"
    for path in map(Path, where.splitlines()):
        assert path.is_relative_to(site) and not path.is_relative_to(ROOT), path
        assert path.is_file()
    assert (venv.bin / "embedlab").is_file()


def test_the_installed_dashboard_serves_loopback_only_with_the_map_and_glove(venv, browser):
    with Dashboard(venv, "loopback", "--workspace", str(venv.root / "ws")) as dash:
        assert listening(dash.port) == {"127.0.0.1"}
        address = non_loopback_address()
        if address is not None:  # the machine's network address does not reach the server
            with pytest.raises(OSError), socket.create_connection((address, dash.port), 3):
                pass
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        elsewhere = []  # requests the page makes to anything but this server (telemetry, CDNs)
        page.on("request", lambda r: None if own(r.url, dash.url) else elsewhere.append(r.url))
        try:
            page.goto(f"{dash.url}/neighbours?q=frog")
            cells = grid_cells(page, timeout=180_000)
            assert {"snake", "toad"} <= set(cells), cells
            open_map(page, f"{dash.url}/map", 400_000)  # the shipped layout of all GloVe words
            page.goto(f"{dash.url}/neighbours?ds=sample:als&q=i0001")
            assert any(c.startswith("i0") for c in grid_cells(page, timeout=180_000))
        finally:
            page.close()
        log = dash.output()
    assert elsewhere == []
    assert not re.search("usage statistics|external ip", log, re.I), log
    assert "URL: http://127.0.0.1:" in log


def test_a_page_error_shows_no_traceback_or_path(venv, browser):
    not_a_folder = venv.root / "not-a-folder"
    not_a_folder.write_text("the workspace cannot live here")
    env = {"EMBEDLAB_WORKSPACE": str(not_a_folder)}  # the sidebar's workspace read will fail
    with Dashboard(venv, "error", env=env) as dash:
        page = browser.new_page()
        try:
            page.goto(dash.url)
            page.get_by_test_id("stException").wait_for(timeout=180_000)
            shown = page.inner_text("body")
        finally:
            page.close()
        log = dash.output()
    assert "NotADirectoryError" in log and str(not_a_folder) in log  # the error happened...
    for leak in ("Traceback", 'File "', "NotADirectoryError", str(venv.root), "site-packages"):
        assert leak not in shown, leak  # ...and the browser got none of it


def test_an_exposed_dashboard_asks_every_browser_for_the_token(venv, browser, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    args = (
        "--host",
        "0.0.0.0",
        "--token-file",
        str(token_file),
        "--workspace",
        str(tmp_path / "ws"),
    )
    with Dashboard(venv, "exposed", *args) as dash:
        assert listening(dash.port) == {"0.0.0.0"}
        stranger = browser.new_context()
        member = browser.new_context()
        try:
            gated = stranger.new_page()
            gated.goto(f"{dash.url}/neighbours?q=frog")
            gated.get_by_label("Access token").wait_for(timeout=120_000)
            body = gated.inner_text("body")
            assert not re.search("snake|toad|Embedding set|GloVe|Neighbours", body), body
            assert not gated.get_by_test_id("stSidebarNav").count()
            page = member.new_page()
            page.goto(f"{dash.url}/neighbours?q=frog")
            page.get_by_label("Access token").fill(TOKEN)
            page.get_by_role("button", name="Open").click()
            assert {"snake", "toad"} <= set(grid_cells(page, timeout=180_000))
            # the gate's cookie is written at the end of the admitted run (the sidebar's last
            # element): reload only once it is there, or the reload races the run
            page.wait_for_function("document.cookie.includes('embedlab_gate=')", timeout=60_000)
            page.reload()  # the browser session's cookie lets it in again
            assert {"snake", "toad"} <= set(grid_cells(page, timeout=180_000))
            gated.reload()
            gated.get_by_label("Access token").wait_for(timeout=60_000)
        finally:
            stranger.close()
            member.close()
        log = dash.output()
    assert "anyone who can reach this machine" in log and "shared by link" in log
    assert not re.search("usage statistics|external ip", log, re.I), log
