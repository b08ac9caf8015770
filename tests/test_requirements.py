"""`make run` installs only what avrop needs to run: requirements.lock pins exactly pyproject.toml's
dependencies and what they need (as installed here), requirements-dev.lock the [dev] extra on top."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path
from typing import cast

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-r "):
            package, _, version = line.partition("==")
            assert version, f"{name}: {line} is not pinned"
            pins[canonicalize_name(package)] = version
    return pins


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements need, following the installed packages' metadata."""
    seen: dict[str, set[str]] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = seen.get(name)
        if extras is not None and set(requirement.extras) <= extras:
            continue
        seen[name] = (extras or set()) | set(requirement.extras)
        for text in metadata.distribution(name).requires or []:
            needed = Requirement(text)
            if needed.marker is None or any(
                needed.marker.evaluate({**cast("dict[str, str]", default_environment()), "extra": extra})
                for extra in seen[name] or {""}
            ):
                pending.append(needed)
    return set(seen)


RUNTIME = _pins("requirements.lock")
DEV = _pins("requirements-dev.lock")


def test_the_runtime_lock_is_the_runtime_closure() -> None:
    assert set(RUNTIME) == _closure(PROJECT["dependencies"])


def test_the_dev_lock_is_what_dev_adds() -> None:
    assert set(DEV) == _closure(PROJECT["optional-dependencies"]["dev"]) - set(RUNTIME)
    assert "-r requirements.lock" in (ROOT / "requirements-dev.lock").read_text().splitlines()


def test_no_test_tool_is_installed_by_make_run() -> None:
    assert not {
        "pytest",
        "playwright",
        "factory-boy",
        "faker",
        "ruff",
        "xlsxwriter",
        "aiosmtpd",
        "mypy",
    } & set(RUNTIME)


def test_pyproject_and_locks_agree_on_versions() -> None:
    for text in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        pinned = RUNTIME.get(name) or DEV.get(name)
        assert pinned and requirement.specifier.contains(pinned), f"{text} vs {pinned}"
        assert metadata.version(name) == pinned, (
            f"{name}: installed {metadata.version(name)}, pinned {pinned}"
        )
