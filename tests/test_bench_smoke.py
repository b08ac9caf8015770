"""Every benchmark runs in its --quick form, so that none of them rots."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_")))
def test_benchmark_quick_run(script, tmp_path):
    env = {**os.environ, "AVROP_ENV": "test", "AVROP_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = [
        line for line in result.stdout.splitlines() if line.count(":") >= 1 and not line.startswith("#")
    ]
    assert figures, "a benchmark prints figures as 'name: value unit'"
    for line in figures:
        name, _, rest = line.partition(": ")
        assert name and " " not in name, line
        float(rest.split()[0])
