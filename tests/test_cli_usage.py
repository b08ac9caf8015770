"""The `avrop` command for a newcomer: --help prints help and does nothing else, and a busy or wrong
address is one clear line before anything is set up (no migration, no traceback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from avrop.cli import PortProblem, check_port


def _avrop(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AVROP_ENV": "development",
        "AVROP_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "avrop.settings",
    }
    env.pop("AVROP_BIND", None)
    return subprocess.run(
        [sys.executable, "-m", "avrop.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
    )


def _nothing_set_up(tmp_path: Path) -> bool:
    data = tmp_path / "data"
    return not (data / "avrop.sqlite3").exists() and not (data / "huey.sqlite3").exists()


@pytest.fixture
def busy_port():  # noqa: ANN201
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("run", "usage: avrop run [-h] [--bind ADDR]"),
        ("serve", "usage: avrop serve [-h] [--bind ADDR]"),
        ("setup", "usage: avrop setup [-h]"),
        ("worker", "usage: avrop worker [-h]"),
    ],
)
def test_help_prints_help_and_sets_nothing_up(tmp_path, command, usage) -> None:
    result = _avrop(tmp_path, command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(usage)
    assert result.stderr == ""
    assert _nothing_set_up(tmp_path)


def test_run_help_says_how_to_change_the_port(tmp_path) -> None:
    out = _avrop(tmp_path, "run", "-h").stdout
    assert "--bind ADDR" in out and "AVROP_BIND" in out and "127.0.0.1:8000" in out


def test_edi_help_is_its_own(tmp_path) -> None:
    result = _avrop(tmp_path, "edi", "--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "render" in result.stdout


def test_an_unknown_option_is_a_usage_error_not_a_migration(tmp_path) -> None:
    result = _avrop(tmp_path, "run", "--port", "8001")
    assert result.returncode == 2
    assert "unrecognized arguments: --port 8001" in result.stderr
    assert _nothing_set_up(tmp_path)


def test_run_on_a_busy_port_says_so_in_one_line_before_setting_up(tmp_path, busy_port) -> None:
    result = _avrop(tmp_path, "run", "--bind", f"127.0.0.1:{busy_port}")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"avrop: port {busy_port} is in use; stop the other program or run `make run PORT={busy_port + 1}`\n"
    )
    assert _nothing_set_up(tmp_path)


def test_run_takes_the_address_from_avrop_bind(tmp_path, busy_port) -> None:
    """`make run PORT=…` passes AVROP_BIND."""
    env_bind = {"AVROP_BIND": f"127.0.0.1:{busy_port}"}
    result = subprocess.run(
        [sys.executable, "-m", "avrop.cli", "run"],
        env={**os.environ, **env_bind, "AVROP_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"avrop: port {busy_port} is in use;")
    assert _nothing_set_up(tmp_path)


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path, busy_port) -> None:
    result = _avrop(tmp_path, "serve", "--bind", f"127.0.0.1:{busy_port}")
    assert result.returncode == 1
    assert result.stderr == (
        f"avrop: port {busy_port} is in use; stop the other program or run "
        f"`avrop serve --bind 127.0.0.1:{busy_port + 1}`\n"
    )


@pytest.mark.parametrize("bind", ["nonsense", "127.0.0.1:", "127.0.0.1:99999", ":8000"])
def test_a_malformed_address_is_one_line(tmp_path, bind) -> None:
    result = _avrop(tmp_path, "run", "--bind", bind)
    assert result.returncode == 1
    assert result.stderr == (
        f"avrop: {bind!r} is not an address to listen on; use HOST:PORT such as 127.0.0.1:8000\n"
    )
    assert _nothing_set_up(tmp_path)


def test_check_port_passes_a_free_port_and_leaves_it_free() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check_port(f"127.0.0.1:{port}", other="make run PORT={port}")
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))


def test_check_port_sees_a_listener_on_every_address(busy_port) -> None:
    with socket.socket() as wildcard:
        wildcard.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        wildcard.bind(("0.0.0.0", 0))  # noqa: S104
        wildcard.listen()
        port = wildcard.getsockname()[1]
        with pytest.raises(PortProblem, match=f"port {port} is in use"):
            check_port(f"127.0.0.1:{port}", other="make run PORT={port}")


def test_check_port_names_an_address_that_is_not_here() -> None:
    with pytest.raises(PortProblem, match=r"avrop: 192\.0\.2\.1 is not an address of this machine"):
        check_port("192.0.2.1:8000", other="make run PORT={port}")


def test_unix_sockets_are_not_checked() -> None:
    check_port("unix:/tmp/avrop.sock", other="make run PORT={port}")
