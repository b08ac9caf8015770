"""What every benchmark shares: a scratch folder that is always removed, and targets that count only at the
size they are set for."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch(prefix: str, *, keep: bool = False) -> Iterator[Path]:
    """A new temporary folder, removed afterwards however the run ends (kept with ``keep``)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"# kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)


class Targets:
    """Targets are checked only at the size they are set for (``checked``); below it a run says so instead
    of claiming a target met. ``exit_code`` is 1 when a checked target was missed or a check failed."""

    def __init__(self, checked: bool) -> None:
        self.checked = checked
        self.missed: list[str] = []
        self.failed: list[str] = []

    def target(self, ok: bool, text: str) -> None:
        if not self.checked:
            print(f"# target not checked at this size: {text}", flush=True)
            return
        print(f"# target {'met' if ok else 'MISSED'}: {text}", flush=True)
        if not ok:
            self.missed.append(text)

    def check(self, ok: bool, text: str) -> None:
        """A result that must hold at every size (a count, a correctness condition)."""
        print(f"# check {'passed' if ok else 'FAILED'}: {text}", flush=True)
        if not ok:
            self.failed.append(text)

    def exit_code(self) -> int:
        if self.missed:
            print("# missed: " + "; ".join(self.missed), flush=True)
        if self.failed:
            print("# failed: " + "; ".join(self.failed), flush=True)
        return 1 if self.missed or self.failed else 0
