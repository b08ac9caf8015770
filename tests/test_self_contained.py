"""The repository is self-contained: no test, benchmark or generator reads files from beside the checkout
(the standards collection they were copied from lives outside it and is not part of a clone)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A path into a folder named "shared" next to or above the checkout, written any of the usual ways.
OUTSIDE = re.compile(r"""\.\./shared|/work/shared|["']shared["']\s*/|parents?\[\d\]\s*/\s*["']shared""")


def test_nothing_reads_from_outside_the_repository():
    sources = [
        path
        for folder in ("src", "tests", "bench")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".md", ".toml", ".cfg"} and path != Path(__file__).resolve()
    ]
    sources += [ROOT / "Makefile", ROOT / "conftest.py", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    assert len(sources) > 100
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_pattern_finds_the_old_ways():
    for line in (
        'STANDARDS = REPO.parent / "shared" / "standards"',
        'Path("/work/shared/standards/peppol-poacc/examples/bis")',
        "(``../shared/standards`` beside the repository)",
    ):
        assert OUTSIDE.search(line), line
