"""``embedlab dashboard``: start the Streamlit dashboard with embedlab's own settings, on this
machine only unless told otherwise; forward signals, leave nothing running.

The settings travel with the code: they are passed to ``streamlit run`` as flags on every start,
so they hold whatever the working folder and however embedlab was installed (flags outrank
Streamlit's config files and ``STREAMLIT_*`` variables).  The dashboard's own options are declared
once, in :data:`ENV_OPTIONS` (one line each) and :func:`add_options`; every other argument goes to
``streamlit run`` unchanged.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import ParameterError
from ..visible import visible

GRACE_SECONDS = 10.0
DEFAULT_HOST = "127.0.0.1"
TOKEN_ENV = "EMBEDLAB_DASHBOARD_TOKEN"  # read by embedlab.dashboard.gate in the server
MIN_TOKEN = 16
TOKEN_HINT = (
    f"set one in the environment variable {TOKEN_ENV} or a file given with --token-file, "
    "e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))'"
)

# Streamlit settings embedlab passes on every start.  A user's own flag for one of them wins (with
# a note), except where it would be unsafe (FIXED).  .streamlit/config.toml in the repository holds
# the same values for a bare `streamlit run` in the checkout (tests/test_installed.py checks).
SETTINGS: dict[str, str] = {
    "browser.gatherUsageStats": "false",  # nothing phones home
    "server.showEmailPrompt": "false",  # no first-run prompt asking for an e-mail to send out
    "client.showErrorDetails": "none",  # tracebacks stay in the console ("none"; false=stacktrace)
    "client.toolbarMode": "minimal",  # no developer menu (rerun, clear cache, deploy)
    "server.maxUploadSize": "200",  # MB; the Data page states it
    "server.enableXsrfProtection": "true",  # whatever a user-wide config.toml says
}
FIXED = {"client.showErrorDetails"}  # a user's flag may not change these: refused


def folder(text: str) -> str:
    """An option's folder, made absolute (the server may run from another working folder)."""
    path = Path(text).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    return str(path)


def positive(text: str) -> str:
    """A positive number, as text for the server's environment."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return text


@dataclass(frozen=True)
class EnvOption:
    """A dashboard option the server reads from its environment: ``--max-train-mb`` sets
    ``EMBEDLAB_MAX_TRAIN_MB``."""

    flag: str
    metavar: str
    type: Callable[[str], str]
    help: str

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        return "EMBEDLAB_" + self.dest.upper()


# One line per option (flag, metavar, parser, help); `embedlab dashboard --help` lists them in
# this order, after --host, --port and --token-file.
ENV_OPTIONS: tuple[EnvOption, ...] = (
    EnvOption("--workspace", "DIR", folder, "stored sets and logs (default: user's data folder)"),
    EnvOption("--workspace-mb", "MB", positive, "size cap of the workspace (default 2048)"),
    EnvOption(
        "--max-jobs",
        "N",
        positive,
        "trainings, tunings and sweeps run at once; the rest wait in line (default 2)",
    ),
    EnvOption(
        "--max-train-minutes", "MIN", positive, "refuse training estimated longer (default 3)"
    ),
    EnvOption("--max-train-mb", "MB", positive, "refuse training estimated larger (default 400)"),
)


USAGE = "embedlab dashboard [-h] [OPTIONS] [STREAMLIT OPTIONS]"
EPILOG = """\
Streamlit options (passed through to `streamlit run` unchanged), e.g.:
  --server.port 8502   --theme.base dark   --server.headless true

embedlab passes these on every start, whatever the working folder:
  {settings}
A flag of yours for one of them wins (with a note), except --client.showErrorDetails: it stays
"none" (tracebacks go to this console, never to the browser). The address comes from --host or
--server.address only (default 127.0.0.1)."""
DESCRIPTION = """\
Start the embedlab dashboard (Streamlit). It listens on 127.0.0.1, this machine only, unless
--host says otherwise; then every browser must enter a token first."""


def register(sub) -> None:
    """Add ``dashboard`` to ``sub``: the dashboard's own options (``--help`` lists them), then
    any ``streamlit run`` option, passed through."""
    p = sub.add_parser(
        "dashboard",
        help="start the dashboard on this machine (--host exposes it, with a token)",
        description=DESCRIPTION,
        usage=USAGE,
        epilog=EPILOG.format(settings="\n  ".join(f"--{k} {v}" for k, v in SETTINGS.items())),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add_options(p)
    p.set_defaults(run=run_dashboard)


def add_options(p: argparse.ArgumentParser) -> None:
    """The dashboard's own options, in the order ``--help`` lists them."""
    g = p.add_argument_group("dashboard options")
    g.add_argument(
        "--host",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every "
        "network interface, which needs a token)",
    )
    g.add_argument("--port", type=int, help="port (default 8501, or the next free one)")
    g.add_argument(
        "--token-file",
        metavar="FILE",
        help=f"file whose first line is the token every browser must enter (default: the "
        f"environment variable {TOKEN_ENV}); required with a --host other than loopback",
    )
    for o in ENV_OPTIONS:
        g.add_argument(o.flag, type=o.type, metavar=o.metavar, help=o.help)


def split_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The dashboard's own options, and the arguments meant for ``streamlit run``."""
    p = argparse.ArgumentParser(prog="embedlab dashboard", add_help=False, allow_abbrev=False)
    add_options(p)
    return p.parse_known_args(argv)


def streamlit_flags(args: list[str]) -> dict[str, str]:
    """The ``--section.option value`` (or ``--section.option=value``) pairs among ``args``."""
    flags: dict[str, str] = {}
    for i, arg in enumerate(args):
        name = arg[2:].split("=", 1)[0]
        if arg.startswith("--") and "." in name:
            if "=" in arg:
                flags[name] = arg.split("=", 1)[1]
            elif i + 1 < len(args):
                flags[name] = args[i + 1]
    return flags


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or an interface: assume the network can reach it


@dataclass
class Launch:
    """What ``embedlab dashboard`` runs: the ``streamlit run`` flags, the child's environment
    additions, and the notes and warnings to print first."""

    flags: list[str]
    env: dict[str, str]
    host: str
    exposed: bool
    notes: list[str] = field(default_factory=list)


def plan(ours: argparse.Namespace, rest: list[str], environ: dict[str, str]) -> Launch:
    """Merge embedlab's settings with the user's flags; check the address and the token.

    Parameters
    ----------
    ours : argparse.Namespace
        The dashboard's own options (see :func:`split_args`).
    rest : list of str
        The arguments for ``streamlit run``, in the user's order.
    environ : dict
        The environment the server would inherit (for the token variable).

    Returns
    -------
    Launch

    Raises
    ------
    ParameterError
        A user's flag would show tracebacks in the browser; ``--host`` and ``--server.address``
        (or ``--port`` and ``--server.port``) disagree; the server would be reachable from the
        network without a token; the token is too short or unreadable.

    Examples
    --------
    >>> ours, rest = split_args(["--server.maxUploadSize", "50"])
    >>> launch = plan(ours, rest, {})
    >>> launch.host, launch.exposed, launch.flags[-2:]
    ('127.0.0.1', False, ['--server.maxUploadSize', '50'])
    """
    user = streamlit_flags(rest)
    _refuse_unsafe(user)
    host = _one_value("--host", ours.host, "server.address", user) or DEFAULT_HOST
    port = _one_value("--port", None if ours.port is None else str(ours.port), "server.port", user)
    exposed = not is_loopback(host)
    env = _server_env(ours, host, exposed, environ)
    given = {**SETTINGS, "server.address": host}
    if port:
        given["server.port"] = port
    if exposed:  # the URL Streamlit prints; without it, it asks checkip.amazonaws.com
        given["browser.serverAddress"] = display_host(host)
    flags = [f for k, v in given.items() if k not in user for f in (f"--{k}", v)]
    notes = [
        f"note: --{k} {user[k]} replaces embedlab's {v}"
        for k, v in SETTINGS.items()
        if user.get(k, v) != v
    ]
    return Launch(flags + rest, env, host, exposed, notes)


def _server_env(ours: argparse.Namespace, host: str, exposed: bool, environ: dict) -> dict:
    """The server's environment additions: the env-backed options and the token (required when
    the server is exposed)."""
    env = {o.env: getattr(ours, o.dest) for o in ENV_OPTIONS if getattr(ours, o.dest) is not None}
    token = _token(ours.token_file, environ)
    if exposed and token is None:
        raise ParameterError(
            f"listening on {host} lets anyone who can reach this machine open the dashboard, "
            "so it needs a token",
            hint=TOKEN_HINT,
        )
    if token is not None:
        env[TOKEN_ENV] = token
    return env


def display_host(host: str) -> str:
    """The name browsers use for a server listening on ``host``: the machine's name for a
    wildcard address (0.0.0.0, ::), else ``host`` itself."""
    return socket.gethostname() if host in ("0.0.0.0", "::", "") else host


def _refuse_unsafe(user: dict[str, str]) -> None:
    for key in FIXED:
        if key in user and user[key] != SETTINGS[key]:
            raise ParameterError(
                f"--{key} {user[key]} would show tracebacks and server paths in the browser",
                hint=f"they are in this console already; embedlab keeps {SETTINGS[key]!r}",
            )


def _one_value(ours_flag: str, ours: str | None, key: str, user: dict[str, str]) -> str | None:
    """The value given by our option or by its Streamlit spelling; both must agree."""
    theirs = user.get(key)
    if ours is not None and theirs is not None and ours != theirs:
        raise ParameterError(f"{ours_flag} {ours} and --{key} {theirs} disagree; give one")
    return ours if ours is not None else theirs


def _token(token_file: str | None, environ: dict[str, str]) -> str | None:
    """The token from ``--token-file`` (its first line) or the environment; None when neither."""
    if token_file is not None:
        try:
            lines = Path(token_file).expanduser().read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(
                f"cannot read the token file: {exc.__class__.__name__}", path=token_file
            ) from None
        token = lines[0].strip() if lines else ""
        where = f"the first line of {token_file}"
    else:
        token = environ.get(TOKEN_ENV, "").strip()
        where = TOKEN_ENV
        if not token:
            return None
    if len(token) < MIN_TOKEN or not token.isprintable():
        raise ParameterError(
            f"the token ({where}) must be at least {MIN_TOKEN} printable characters",
            hint=TOKEN_HINT,
        )
    return token


def exposure_notice(launch: Launch, workspace: str | None) -> list[str]:
    """What listening on ``launch.host`` means, said before the server starts."""
    who = (
        f"anyone who can reach this machine ({display_host(launch.host)}) over the network (the "
        "LAN, a VPN, the internet if no firewall stops them)"
        if launch.host in ("0.0.0.0", "::", "")
        else f"anyone who can reach {launch.host}"
    )
    return [
        f"the dashboard listens on {launch.host}: {who} can open it and is asked for the token.",
        "with the token they see the built-in set, the sample log and every stored set whose "
        "link they have (sets are shared by link), and can upload and train; uploads and trained "
        f"sets are stored on this machine ({workspace or 'the default workspace'}).",
        "the connection is plain HTTP, token included: for a team, put a reverse proxy with TLS "
        "in front (README: 'Share the dashboard with a team').",
    ]


def app_path() -> Path:
    """The dashboard's entry file, found through the installed package (not the checkout)."""
    return Path(str(resources.files("embedlab.dashboard").joinpath("app.py")))


def run_dashboard(args) -> int:
    """Run ``streamlit run`` on the installed app as a child process, from the user's working
    folder; SIGTERM/SIGINT are forwarded to it, and it is killed if it outlives a grace period."""
    ours, rest = split_args(args.streamlit_args)
    launch = plan(ours, rest, dict(os.environ))
    lines = launch.notes + (exposure_notice(launch, ours.workspace) if launch.exposed else [])
    for line in lines:
        print(f"embedlab: {visible(line)}", file=sys.stderr)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path()), *launch.flags]
    # few malloc arenas: each visitor's thread would otherwise keep its own heap at its peak
    arenas = {"MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}
    child = subprocess.Popen(cmd, env={**os.environ, **arenas, **launch.env})
    return supervise(child)


def supervise(child: subprocess.Popen, grace: float = GRACE_SECONDS) -> int:
    """Wait for ``child``, passing SIGTERM/SIGINT on; returns its exit code (128+signal if
    killed).  A child still running ``grace`` seconds after the first signal is killed (the wait
    wakes every second, so a signal that arrives during it starts the grace period: a child deaf
    to it, such as a server whose shutdown hangs, is never left behind).

    Examples
    --------
    >>> import subprocess, sys
    >>> supervise(subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"]))
    3
    """
    received: list[int] = []

    def forward(signum, _frame):
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    deadline = None
    try:
        while True:
            try:
                code = child.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                if received and deadline is None:
                    deadline = time.monotonic() + grace
                if deadline is not None and time.monotonic() > deadline:
                    child.kill()  # it ignored the signal for the whole grace period
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 + received[0] if received and code < 0 else code
