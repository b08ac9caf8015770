"""Every benchmark runs in its --quick form, so that none of them rots; it leaves no temporary folder
behind and does not claim a target met at that size. A missed target at full size is a failed run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from _support import Targets, scratch  # noqa: E402


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_")))
def test_benchmark_quick_run(script, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "AVROP_ENV": "test", "AVROP_DATA_DIR": str(tmp_path), "TMPDIR": str(temporary)}
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in temporary.iterdir()) == [], "temporary files left behind"
    assert "target met" not in result.stdout
    assert "MISSED" not in result.stdout
    figures = [
        line for line in result.stdout.splitlines() if line.count(":") >= 1 and not line.startswith("#")
    ]
    assert figures, "a benchmark prints figures as 'name: value unit'"
    for line in figures:
        name, _, rest = line.partition(": ")
        assert name and " " not in name, line
        float(rest.split()[0])


def test_targets_count_only_at_full_size(capsys):
    quick = Targets(checked=False)
    quick.target(True, "search p95 under 50 ms (12 ms)")
    quick.target(False, "weekly re-import at least 50,000 items/s (3000)")
    assert quick.exit_code() == 0
    assert capsys.readouterr().out.splitlines() == [
        "# target not checked at this size: search p95 under 50 ms (12 ms)",
        "# target not checked at this size: weekly re-import at least 50,000 items/s (3000)",
    ]

    full = Targets(checked=True)
    full.target(True, "search p95 under 50 ms (12 ms)")
    assert full.exit_code() == 0
    full.target(False, "weekly re-import at least 50,000 items/s (3000)")
    assert full.exit_code() == 1
    out = capsys.readouterr().out
    assert "# target met: search p95 under 50 ms (12 ms)" in out
    assert "# target MISSED: weekly re-import at least 50,000 items/s (3000)" in out


def test_a_failed_check_fails_at_any_size(capsys):
    quick = Targets(checked=False)
    quick.check(False, "only changes written (10 of 12)")
    assert quick.exit_code() == 1
    assert "# check FAILED: only changes written (10 of 12)" in capsys.readouterr().out


def test_scratch_is_removed_however_the_run_ends(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(RuntimeError), scratch("bench-") as folder:
        (folder / "data").write_text("x")
        raise RuntimeError("the run failed")
    assert not folder.exists()
    with scratch("bench-", keep=True) as kept:
        pass
    assert kept.is_dir() and kept.parent == tmp_path
