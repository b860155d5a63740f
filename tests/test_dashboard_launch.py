"""``embedlab dashboard``'s launch plan (the Streamlit flags, the address, the token) and the
token gate in the app.  The installed package in a real browser: tests/test_installed.py."""

import subprocess
import sys
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from embedlab.core.cli import dashboard as launcher
from embedlab.core.cli.dashboard import (
    DEFAULT_HOST,
    SETTINGS,
    TOKEN_ENV,
    EnvOption,
    is_loopback,
    plan,
    positive,
    split_args,
    streamlit_flags,
)
from embedlab.core.cli.main import main
from embedlab.core.errors import ParameterError
from tests.paths import ROOT

TOKEN = "s3cret-token-for-tests-0123"
APP = str(ROOT / "dashboard" / "app.py")


def launch(*argv, environ=None):
    ours, rest = split_args(list(argv))
    return plan(ours, rest, environ or {})


def pairs(flags: list[str]) -> list[tuple[str, str]]:
    """(``--name``, value) pairs of a flag list written as ``--name value``."""
    return list(zip(flags[::2], flags[1::2]))


@pytest.fixture
def no_child(monkeypatch):
    """A refused start must not start Streamlit: any attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a child process was started")

    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_every_setting_is_passed_as_a_flag_with_loopback_by_default():
    got = launch()
    assert dict(pairs(got.flags)) == {
        "--browser.gatherUsageStats": "false",
        "--server.showEmailPrompt": "false",
        "--client.showErrorDetails": "none",
        "--client.toolbarMode": "minimal",
        "--server.maxUploadSize": "200",
        "--server.enableXsrfProtection": "true",
        "--server.address": "127.0.0.1",
    }
    assert (got.host, got.exposed, got.env, got.notes) == ("127.0.0.1", False, {}, [])


def test_a_users_flag_wins_once_with_a_note_and_passes_through_in_order():
    rest = ["--server.maxUploadSize=50", "--theme.base", "dark"]
    got = launch(rest[0], "--port", "8502", *rest[1:])
    assert got.flags[-3:] == rest  # the user's own flags, in their order, after ours
    assert sum(f.startswith("--server.maxUploadSize") for f in got.flags) == 1
    assert ("--server.port", "8502") in pairs(got.flags[:-3])
    assert got.notes == ["note: --server.maxUploadSize 50 replaces embedlab's 200"]


def test_a_users_flag_equal_to_ours_gives_no_note():
    assert launch("--browser.gatherUsageStats", "false").notes == []


@pytest.mark.parametrize("value", ["full", "stacktrace", "type", "true", "false"])
def test_error_details_cannot_be_turned_back_on(value, capsys, no_child):
    with pytest.raises(ParameterError, match="tracebacks"):
        launch("--client.showErrorDetails", value)
    assert main(["dashboard", f"--client.showErrorDetails={value}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "showErrorDetails" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--host", "0.0.0.0"],
        ["--host", "::"],
        ["--host", "192.168.1.5"],
        ["--host", "myhost.lan"],
        ["--server.address", "0.0.0.0"],
        ["--server.address=10.1.2.3"],
    ],
)
def test_an_address_other_than_loopback_needs_a_token(argv, capsys, no_child):
    with pytest.raises(ParameterError, match=TOKEN_ENV):
        launch(*argv)
    assert main(["dashboard", *argv]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_token_from_the_environment_or_a_file_reaches_the_server(tmp_path):
    got = launch("--host", "0.0.0.0", environ={TOKEN_ENV: TOKEN})
    assert got.exposed and got.env[TOKEN_ENV] == TOKEN
    assert ("--server.address", "0.0.0.0") in pairs(got.flags)
    file = tmp_path / "token"
    file.write_text("  from-the-file-0123456789  \nsecond line\n")
    got = launch("--host", "0.0.0.0", "--token-file", str(file), environ={TOKEN_ENV: TOKEN})
    assert got.env[TOKEN_ENV] == "from-the-file-0123456789"  # the option wins over the variable
    assert launch("--token-file", str(file)).env[TOKEN_ENV] == "from-the-file-0123456789"


def test_an_exposed_server_is_named_for_its_url_without_asking_the_internet():
    got = launch("--host", "0.0.0.0", environ={TOKEN_ENV: TOKEN})
    import socket

    assert ("--browser.serverAddress", socket.gethostname()) in pairs(got.flags)
    specific = launch("--host", "192.168.1.5", environ={TOKEN_ENV: TOKEN})
    assert ("--browser.serverAddress", "192.168.1.5") in pairs(specific.flags)
    assert "--browser.serverAddress" not in launch().flags


@pytest.mark.parametrize("token", ["short", "x" * 15, "sixteen-chars-\x1b!"])
def test_a_weak_or_unprintable_token_is_refused(token):
    with pytest.raises(ParameterError, match="at least 16 printable"):
        launch("--host", "0.0.0.0", environ={TOKEN_ENV: token})


def test_an_unreadable_token_file_is_refused_in_one_line(tmp_path, capsys, no_child):
    missing = tmp_path / "nope"
    with pytest.raises(ParameterError, match="cannot read the token file"):
        launch("--token-file", str(missing))
    assert main(["dashboard", "--token-file", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(missing) in err


def test_the_exposure_notice_says_who_can_reach_it_and_that_sets_go_by_link():
    got = launch("--host", "0.0.0.0", environ={TOKEN_ENV: TOKEN})
    text = " ".join(launcher.exposure_notice(got, "/srv/ws"))
    for words in ("anyone who can reach", "token", "shared by link", "/srv/ws", "TLS"):
        assert words in text


@pytest.mark.parametrize(
    ("ours", "theirs", "one", "other"),
    [
        ("--host", "--server.address", "127.0.0.2", "127.0.0.3"),
        ("--port", "--server.port", "8000", "8001"),
    ],
)
def test_our_option_and_its_streamlit_spelling_must_agree(ours, theirs, one, other):
    with pytest.raises(ParameterError, match="disagree"):
        launch(ours, one, theirs, other)
    assert launch(ours, one, theirs, one).flags.count(one) == 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.1", False),
        ("", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_streamlit_flags_reads_both_spellings_and_ignores_other_words():
    args = ["--server.port=8502", "--theme.base", "dark", "word", "--notdotted", "x"]
    assert streamlit_flags(args) == {"server.port": "8502", "theme.base": "dark"}


def test_env_options_reach_the_server_and_a_new_one_is_one_line(monkeypatch, tmp_path):
    got = launch("--workspace", str(tmp_path / "ws"), "--workspace-mb", "512")
    assert got.env == {"EMBEDLAB_WORKSPACE": str(tmp_path / "ws"), "EMBEDLAB_WORKSPACE_MB": "512"}
    cap = EnvOption("--max-sweep-minutes", "MIN", positive, "refuse longer sweeps (default 3)")
    monkeypatch.setattr(launcher, "ENV_OPTIONS", (*launcher.ENV_OPTIONS, cap))
    assert launch("--max-sweep-minutes", "7").env == {"EMBEDLAB_MAX_SWEEP_MINUTES": "7"}
    with pytest.raises(SystemExit):
        launch("--max-sweep-minutes", "-1")


def test_a_workspace_that_is_a_file_is_refused_before_the_server_starts(tmp_path, capsys, no_child):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--workspace", str(tmp_path / "file")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err


def test_help_lists_the_dashboards_options_before_the_streamlit_ones():
    out = subprocess.run(
        [sys.executable, "-m", "embedlab.core.cli", "dashboard", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ours = [out.index(f"  {flag} ") for flag in ("--host", "--port", "--token-file")]
    ours += [out.index(f"  {o.flag} ") for o in launcher.ENV_OPTIONS]
    assert ours == sorted(ours) and max(ours) < out.index("Streamlit options")
    assert "streamlit_args" not in out
    for key, value in SETTINGS.items():
        assert f"--{key} {value}" in out


def test_the_repositorys_config_file_holds_the_codes_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    flat = {
        f"{section}.{name}": str(value).lower() if isinstance(value, bool) else str(value)
        for section, options in config.items()
        for name, value in options.items()
    }
    assert flat == {**SETTINGS, "server.address": DEFAULT_HOST}


def test_the_app_is_found_through_the_installed_package():
    import embedlab.dashboard

    assert launcher.app_path().parent.samefile(embedlab.dashboard.__path__[0])
    assert launcher.app_path().is_file()


# -- the gate, in Streamlit's own test runner (the real browser: tests/test_installed.py) ------
def test_without_a_token_set_the_app_opens_without_a_gate(monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and not at.text_input
    assert any("Active set" in c.value for c in at.caption)


def test_with_a_token_set_only_the_gate_runs_until_the_token_is_given(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Access token"]
    assert not at.sidebar.selectbox and not at.caption  # no set, no page
    at.text_input[0].input("wrong-token-0123456789")
    at.button[0].click().run()
    assert "not the token" in at.error[0].value and not at.caption
    at.text_input[0].input(TOKEN)
    at.button[0].click().run()
    assert not at.exception and "Access token" not in [t.label for t in at.text_input]
    assert any("Active set" in c.value for c in at.caption)
    assert at.sidebar.selectbox[0].label == "Embedding set"


def test_the_gate_cookie_holds_a_keyed_hash_not_the_token():
    from embedlab.dashboard import gate

    value = gate.cookie_value(TOKEN)
    assert TOKEN not in value and len(value) == 64
    assert value == gate.cookie_value(TOKEN) != gate.cookie_value(TOKEN + "x")


DEAF_CHILD = (
    "import os, signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "sys.stdin.readline()\n"  # released once the launcher forwards signals
    "os.kill(os.getppid(), signal.SIGTERM)\n"  # SIGTERM to the launcher, as a service manager
    "time.sleep(600)\n"
)


def test_the_launcher_kills_a_server_deaf_to_sigterm_after_its_grace(monkeypatch):
    """A Streamlit server whose shutdown hangs ignores the SIGTERM the launcher forwards; the
    launcher must kill it once the grace period is over (it used to wait forever, so a killed
    launcher left the server running)."""
    import signal
    import subprocess

    from embedlab.core.cli import dashboard

    child = subprocess.Popen([sys.executable, "-c", DEAF_CHILD], stdin=subprocess.PIPE, text=True)
    real = dashboard.signal.signal

    def observed(signum, handler):  # test code: release the child once SIGTERM is forwarded
        previous = real(signum, handler)
        if signum == signal.SIGTERM and handler is not previous and child.stdin:
            child.stdin.write("go\n")
            child.stdin.close()
            child.stdin = None
        return previous

    monkeypatch.setattr(dashboard.signal, "signal", observed)
    code = dashboard.supervise(child, grace=1.0)
    assert code == 128 + signal.SIGTERM and child.poll() == -signal.SIGKILL
