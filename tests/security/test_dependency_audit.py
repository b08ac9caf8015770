"""`make lint` audits requirements.lock with pip-audit: a known vulnerability fails it; an unreachable
vulnerability database skips it with a message saying so, never a silent "no vulnerabilities"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit-dependencies"


def _run(tmp_path: Path, report: object | None, stderr: str = "") -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "pip-audit"
    output = json.dumps(report) if report is not None else ""
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.write({output!r})\n"
        f"sys.stderr.write({stderr!r})\nsys.exit(1)\n"
    )
    fake.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "AVROP_PIP_AUDIT": str(fake)}
    return subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_a_known_vulnerability_fails_the_audit(tmp_path: Path) -> None:
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "lxml", "version": "6.0.0", "vulns": []},
        ]
    }
    result = _run(tmp_path, report)
    assert result.returncode == 1
    assert "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in result.stdout
    assert "FAILED" in result.stdout


def test_no_vulnerability_passes(tmp_path: Path) -> None:
    result = _run(tmp_path, {"dependencies": [{"name": "lxml", "version": "6.0.0", "vulns": []}]})
    assert result.returncode == 0
    assert "no known vulnerabilities in 1 packages" in result.stdout


@pytest.mark.parametrize(
    ("report", "stderr"),
    [
        (None, "ConnectionError: Failed to resolve 'api.osv.dev'"),
        ({"dependencies": [{"name": "lxml", "version": "6.0.0", "skip_reason": "not found on PyPI"}]}, ""),
    ],
)
def test_an_unreachable_database_skips_with_a_message(tmp_path: Path, report: object, stderr: str) -> None:
    result = _run(tmp_path, report, stderr)
    assert result.returncode == 0
    assert "SKIPPED" in result.stdout
    assert "no known vulnerabilities" not in result.stdout


def test_make_lint_runs_the_audit() -> None:
    assert "scripts/audit-dependencies" in (ROOT / "Makefile").read_text()
