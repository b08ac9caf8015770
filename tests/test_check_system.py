"""`make run` on a machine without npm, Pango, fonts or Python's venv module says what is missing and the
Debian packages to install, instead of failing half-way with "npm: command not found … Error 127".

The checks run against a fake PATH: stubs for npm, ldconfig and fc-list, the real bash, grep and python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check-system"
PYTHON = Path(sys.executable).resolve()
LDCONFIG_OK = (
    "\tlibpango-1.0.so.0 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0\n"
    "\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libpangoft2-1.0.so.0\n"
)


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):  # noqa: ANN201
    """A bin folder with the tools the check itself uses; each test adds what the machine has."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("bash", "grep", "head", "find", "make", "sh"):
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    (folder / "python3.11").symlink_to(PYTHON)
    return folder


def _check(machine: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(machine), "HOME": str(cwd)}
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, cwd=cwd, timeout=60, check=False
    )


def test_a_complete_machine_passes_silently(machine, tmp_path) -> None:
    _stub(machine, "npm", "exit 0")
    _stub(machine, "ldconfig", f"printf '{LDCONFIG_OK}'")
    _stub(
        machine, "fc-list", "echo '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf: DejaVu Sans:style=Book'"
    )
    result = _check(machine, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_everything_missing_is_listed_with_the_debian_packages(machine, tmp_path) -> None:
    _stub(machine, "ldconfig", "exit 0")
    _stub(machine, "fc-list", "exit 0")
    result = _check(machine, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "avrop needs some things that this machine does not have:",
        "  - npm (installs HTMX, which avrop serves itself)",
        "  - the Pango library that WeasyPrint draws PDF documents with (libpango-1.0, libpangoft2-1.0)",
        "  - fonts for the PDF documents (none found)",
        "On Debian or Ubuntu, install them with:",
        "  sudo apt-get install npm libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core",
        "(README.md lists what avrop needs; then run the make command again.)",
    ]


def test_pango_without_pangoft2_is_missing(machine, tmp_path) -> None:
    _stub(machine, "npm", "exit 0")
    _stub(machine, "ldconfig", f"printf '{LDCONFIG_OK.splitlines()[0]}\\n'")
    _stub(machine, "fc-list", "echo font")
    result = _check(machine, cwd=tmp_path)
    assert result.returncode == 1
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0\n" in result.stderr


def test_python_without_venv_module(machine, tmp_path) -> None:
    (machine / "python3.11").unlink()
    _stub(machine, "python3.11", f'case "$*" in *ensurepip*) exit 1;; esac; exec {PYTHON} "$@"')
    _stub(machine, "npm", "exit 0")
    _stub(machine, "ldconfig", f"printf '{LDCONFIG_OK}'")
    _stub(machine, "fc-list", "echo font")
    result = _check(machine, cwd=tmp_path)
    assert result.returncode == 1
    assert "  - the venv module of Python 3.11 (`python3.11 -m venv` cannot create .venv without it)" in (
        result.stderr
    )
    assert "sudo apt-get install python3.11-venv\n" in result.stderr
    # Once .venv exists the module is no longer needed.
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(PYTHON)
    assert _check(machine, cwd=tmp_path).returncode == 0


def test_no_python_311(machine, tmp_path) -> None:
    (machine / "python3.11").unlink()
    _stub(machine, "npm", "exit 0")
    _stub(machine, "ldconfig", f"printf '{LDCONFIG_OK}'")
    _stub(machine, "fc-list", "echo font")
    result = _check(machine, cwd=tmp_path)
    assert "  - Python 3.11 (python3.11 is not on the PATH)" in result.stderr
    _stub(machine, "python3.12", "exit 1")
    result = _check(machine, "python3.12", cwd=tmp_path)
    assert "python3.12 does not run Python 3.11" in result.stderr


def test_make_run_checks_before_installing(machine, tmp_path) -> None:
    """`make run` stops at the check: nothing is installed and npm is never called."""
    _stub(machine, "ldconfig", f"printf '{LDCONFIG_OK}'")
    _stub(machine, "fc-list", "echo font")
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-dev.lock", "package.json"):
        shutil.copy(ROOT / name, work / name)
    shutil.copy(ROOT / "package-lock.json", work / "package-lock.json")
    shutil.copytree(ROOT / "scripts", work / "scripts")
    env = {"PATH": str(machine), "HOME": str(tmp_path)}
    result = subprocess.run(
        ["make", "run"], env=env, capture_output=True, text=True, cwd=work, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "  - npm (installs HTMX, which avrop serves itself)" in result.stderr
    assert "command not found" not in result.stderr + result.stdout
    assert not (work / ".venv").exists()
    assert not (work / "node_modules").exists()


def test_make_run_passes_port_as_the_address() -> None:
    env = {name: value for name, value in os.environ.items() if name not in {"AVROP_BIND", "PORT"}}
    for args, address in [([], "127.0.0.1:8000"), (["PORT=8123"], "127.0.0.1:8123")]:
        result = subprocess.run(
            ["make", "-n", "run", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            env=env,
            check=False,
        )
        assert f"AVROP_BIND={address} .venv/bin/avrop run" in result.stdout
