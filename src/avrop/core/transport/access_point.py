"""The Peppol access point seen from avrop: documents come in, documents go out (invoices, order
responses, invoice responses, orders). Framework-level plumbing shared by ordering and payables (and later
receivables); each app roots its own folder and registers its outbox transport on top of it.

``AccessPoint`` is the interface a real access point adapter implements (a REST client for a commercial
access point, an Oxalis folder, an AS4 gateway). An adapter may also offer ``open(item)`` (a binary file,
so that large documents are read in chunks), ``put_aside(item)``, ``reclaim()`` and ``release()``.
``FileAccessPoint`` is the one shipped: it reads ``<peppol dir>/inbound`` and writes
``<peppol dir>/outbound``.

Exactly-once with several workers: a worker *claims* a file by renaming it into its own folder
``processing/<worker>/`` (``os.rename`` is atomic within a file system, so two workers never both get it).
The file leaves that folder only after its document is stored and committed (and normally processed; a
stored document whose processing did not finish is taken by intake's sweep). A worker that dies leaves its
folder behind; another worker takes the whole folder over (again by an atomic rename) when the dead
worker's process is gone or its heartbeat is older than the claim timeout, and processes what is left. The
unique SHA-256 of ``InboundDocument`` turns a file whose processing had committed just before the crash
into a no-op, so no file is processed twice. A file that cannot be stored at all is moved to ``failed/``,
unchanged, for an operator.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

HEARTBEAT = ".heartbeat"


@dataclass(frozen=True)
class InboundFile:
    path: Path
    name: str
    size: int
    reclaimed: bool = False  # taken over from a dead worker rather than claimed fresh


@runtime_checkable
class AccessPoint(Protocol):
    """What intake needs from an access point."""

    def claim(self, limit: int) -> list[InboundFile]:
        """Take up to ``limit`` inbound documents for this worker; no other worker gets them."""

    def read(self, item: InboundFile) -> bytes: ...

    def done(self, item: InboundFile) -> None:
        """The document is stored and processed; the access point may forget it."""

    def send(self, *, content: bytes, document_id: str, receiver: str, document_type: str) -> str:
        """Send a document; returns the access point's message id."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FileAccessPoint:
    """A folder-based access point. Incoming files are complete when they appear (writers rename into
    ``inbound``); names starting with a dot or ending in ``.tmp`` / ``.part`` are still being written."""

    def __init__(self, root: Path, *, worker: str | None = None, claim_timeout: float = 600.0) -> None:
        self.root = Path(root)
        self.inbound = self.root / "inbound"
        self.outbound = self.root / "outbound"
        self.processing = self.root / "processing"
        self.failed = self.root / "failed"
        self.claim_timeout = claim_timeout
        self.host = socket.gethostname()
        self.worker = worker or f"{self.host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.own = self.processing / self.worker
        for folder in (self.inbound, self.outbound, self.own):
            folder.mkdir(parents=True, exist_ok=True)

    # --- inbound -------------------------------------------------------------------------------------

    def heartbeat(self) -> None:
        (self.own / HEARTBEAT).write_text(f"{self.host} {os.getpid()} {time.time()}")

    def _is_abandoned(self, folder: Path) -> bool:
        beat = folder / HEARTBEAT
        try:
            host, pid, _stamp = beat.read_text().split()
            age = time.time() - beat.stat().st_mtime
        except (OSError, ValueError):
            try:
                age = time.time() - folder.stat().st_mtime
            except OSError:
                return False
            return age > self.claim_timeout
        if host == self.host and not _pid_alive(int(pid)):
            return True
        return age > self.claim_timeout

    def reclaim(self) -> int:
        """Take over the folders of dead workers; returns how many files came back to this worker."""
        count = 0
        for folder in sorted(self.processing.iterdir()):
            if folder == self.own or not folder.is_dir() or folder.name.startswith("."):
                continue
            if not self._is_abandoned(folder):
                continue
            taken = self.processing / f".takeover-{self.worker}-{folder.name}"
            try:
                os.rename(folder, taken)
            except OSError:
                continue  # another worker took it first
            for file in sorted(taken.iterdir()):
                if file.name == HEARTBEAT:
                    continue
                with contextlib.suppress(OSError):
                    os.rename(file, self.own / f"reclaimed~{file.name}")
                    count += 1
            with contextlib.suppress(OSError):
                for leftover in taken.iterdir():
                    leftover.unlink()
                taken.rmdir()
        return count

    def _pending(self) -> Iterator[os.DirEntry[str]]:
        with os.scandir(self.inbound) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.endswith((".tmp", ".part")) or not entry.is_file():
                    continue
                yield entry

    def claim(self, limit: int) -> list[InboundFile]:
        self.own.mkdir(parents=True, exist_ok=True)
        self.heartbeat()
        claimed: list[InboundFile] = []
        # Left over from an earlier run of this worker name or taken over from a dead worker.
        for file in sorted(self.own.iterdir()):
            if len(claimed) >= limit:
                return claimed
            if file.name == HEARTBEAT or not file.is_file():
                continue
            name = file.name.removeprefix("reclaimed~")
            claimed.append(InboundFile(file, name, file.stat().st_size, reclaimed=True))
        for entry in self._pending():
            if len(claimed) >= limit:
                break
            target = self.own / entry.name
            try:
                os.rename(entry.path, target)
            except FileNotFoundError:
                continue  # another worker claimed it
            try:
                size = target.stat().st_size
            except OSError:
                continue
            claimed.append(InboundFile(target, entry.name, size))
        return claimed

    def read(self, item: InboundFile) -> bytes:
        return item.path.read_bytes()

    def open(self, item: InboundFile) -> BinaryIO:
        """The file for reading in chunks (intake never reads a whole file unless it parses it)."""
        return item.path.open("rb")

    def put_aside(self, item: InboundFile) -> None:
        """Move a file that could not be stored to ``failed/``, as it is, so that it is not claimed again."""
        self.failed.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.rename(
                item.path,
                self.failed / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}-{item.name}",
            )

    def done(self, item: InboundFile) -> None:
        with contextlib.suppress(FileNotFoundError):
            item.path.unlink()

    def release(self) -> None:
        """Remove this worker's folder when it is empty, so that idle workers leave nothing behind."""
        with contextlib.suppress(OSError):
            if all(f.name == HEARTBEAT for f in self.own.iterdir()):
                (self.own / HEARTBEAT).unlink(missing_ok=True)
                self.own.rmdir()

    def pending_count(self) -> int:
        return sum(1 for _ in self._pending())

    # --- outbound ------------------------------------------------------------------------------------

    def send(self, *, content: bytes, document_id: str, receiver: str, document_type: str) -> str:
        safe_receiver = "".join(c if c.isalnum() else "_" for c in receiver)
        name = f"{document_type}-{safe_receiver}-{document_id}.xml"
        temporary = self.outbound / f".{name}.tmp"
        temporary.write_bytes(content)
        os.replace(temporary, self.outbound / name)
        return name
