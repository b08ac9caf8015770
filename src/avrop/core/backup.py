"""``avrop backup`` and ``avrop restore``: the database and the stored documents in one tar archive.

The archive holds ``manifest.json``, the database (``database.sqlite3``, a copy made with SQLite's online
backup API, or ``database.pgdump``, ``pg_dump -Fc``) and every file under ``MEDIA_ROOT`` as
``media/<path>``. The manifest records, of the database as it is in the archive, the number of rows of
every table of a model, the audit chain's length and head hash, and the SHA-256 of every document.

Both are consistent while the application runs: SQLite's backup copies the database in one step under a
read lock, and on PostgreSQL the counts and the chain's head are read in a REPEATABLE READ transaction whose
snapshot pg_dump then dumps (``--snapshot``). Documents are stored once and never changed, so a document
written during the backup is at worst one the database does not know yet.

Restore refuses an installation that already has data (users, organisations, audit events, orders,
invoices or documents) unless forced, replaces the database with the archive's, writes the documents under
``MEDIA_ROOT``, then checks the result against the manifest (row counts, document hashes, the audit chain
verifies and ends in the recorded hash) and rebuilds the catalogue search index. Stop the web servers and
workers first: a restore replaces the database under them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from avrop.core.auditchain import GENESIS, verify
from avrop.core.queries import export_snapshot, sqlite_file_audit_head, sqlite_file_counts

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
# Rows in any of these make an installation "not empty" for restore: every installation in use has people,
# and everything the domain apps store is audited (core names no other app's model).
DATA_MODELS = (settings.AUTH_USER_MODEL, "core.AuditEvent")


class BackupError(Exception):
    """A backup or restore could not be done; the message says what and where."""


@dataclass
class Report:
    archive: Path
    vendor: str
    counts: dict[str, int]
    documents: int
    audit_events: int
    audit_head: str
    problems: list[str] = field(default_factory=list)


# --- Shared pieces ------------------------------------------------------------------------------------


def _vendor(using: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[using].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"avrop backup knows SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _models() -> list[type[models.Model]]:
    """Every model with a table of its own, in a stable order."""
    found = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    return sorted(found, key=lambda m: m._meta.label)


def _counts(using: str) -> dict[str, int]:
    tables = set(connections[using].introspection.table_names())
    return {
        m._meta.db_table: m._base_manager.using(using).count()
        for m in _models()
        if m._meta.db_table in tables
    }


def _audit(using: str) -> tuple[int, str]:
    """The audit chain's length and head hash as read through ``using`` (GENESIS on an empty trail)."""
    model = apps.get_model("core", "AuditEvent")
    found = model._base_manager.using(using).order_by("-sequence").values_list("hash", flat=True).first()
    return model._base_manager.using(using).count(), found or GENESIS


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _documents(root: Path) -> Iterator[tuple[str, Path]]:
    """(path relative to ``root`` with /, path) of every regular file under ``root``, sorted."""
    if not root.is_dir():
        return
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _pg_env(settings_dict: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The environment for the PostgreSQL client tools and the database's name."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    return env, str(settings_dict["NAME"])


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed; install the PostgreSQL client tools (postgresql-client)."
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


# --- Backup ---------------------------------------------------------------------------------------------


def backup(
    archive: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Callable[[str], None] = print
) -> Report:
    """Write the database and the documents under ``MEDIA_ROOT`` to the tar archive ``archive`` (written
    under a temporary name beside it and renamed when complete)."""
    archive = Path(archive).resolve()
    if not archive.parent.is_dir():
        raise BackupError(f"The folder {archive.parent} for the backup does not exist.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if archive.parent == media_root or media_root in archive.parents:
        raise BackupError(
            f"Write the backup outside MEDIA_ROOT ({media_root}): {archive} would back up itself."
        )
    vendor = _vendor(using)
    with tempfile.TemporaryDirectory(prefix=".avrop-backup-", dir=archive.parent) as work:
        if vendor == "sqlite":
            member, counts, audit_count, audit_head = _backup_sqlite(Path(work) / SQLITE_MEMBER, using)
        else:
            member, counts, audit_count, audit_head = _backup_postgresql(Path(work) / PG_MEMBER, using)
        progress(f"Database copied: {sum(counts.values())} rows in {len(counts)} tables.")
        documents = {name: _sha256(path) for name, path in _documents(media_root)}
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "vendor": vendor,
            "database": member.name,
            "counts": counts,
            "audit": {"events": audit_count, "head_hash": audit_head},
            "documents": documents,
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(member, arcname=member.name)
            for name in documents:
                tar.add(media_root / name, arcname=MEDIA_PREFIX + name)
        os.replace(partial, archive)
    progress(f"{len(documents)} documents; audit chain: {audit_count} events, head {audit_head}.")
    return Report(archive, vendor, counts, len(documents), audit_count, audit_head)


def _backup_sqlite(target: Path, using: str) -> tuple[Path, dict[str, int], int, str]:
    connection = connections[using]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # one step, under a read lock: a consistent copy
    finally:
        destination.close()
    # Counted in the copy itself, so the manifest describes exactly what is archived.
    tables = [m._meta.db_table for m in _models()]
    counts = sqlite_file_counts(path=str(target), tables=tables)
    audit_table = apps.get_model("core", "AuditEvent")._meta.db_table
    audit_count = counts.get(audit_table, 0)
    audit_head = sqlite_file_audit_head(path=str(target), table=audit_table) or GENESIS
    return target, counts, audit_count, audit_head


def _backup_postgresql(target: Path, using: str) -> tuple[Path, dict[str, int], int, str]:
    connection = connections[using]
    env, name = _pg_env(connection.settings_dict)
    with transaction.atomic(using=using):
        snapshot = export_snapshot(using=using)
        counts = _counts(using)
        audit_count, audit_head = _audit(using)
        _run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
                name,
            ],
            env,
            "pg_dump",
        )
    return target, counts, audit_count, audit_head


# --- Restore --------------------------------------------------------------------------------------------


def has_data(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What makes this installation not empty: tables of DATA_MODELS with rows, documents under MEDIA_ROOT."""
    found = []
    tables = set(connections[using].introspection.table_names())
    for label in DATA_MODELS:
        model = apps.get_model(label)
        if model._meta.db_table in tables:
            count = model._base_manager.using(using).count()
            if count:
                found.append(f"{count} rows in {model._meta.db_table}")
    documents = sum(1 for _ in _documents(Path(settings.MEDIA_ROOT)))
    if documents:
        found.append(f"{documents} documents under {settings.MEDIA_ROOT}")
    return found


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(f"{archive} has no {MANIFEST}: it is not an avrop backup.") from None
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{MANIFEST} in {archive} is not a file.")
    try:
        manifest = json.loads(handle.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST} in {archive} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"{archive} is a backup of an unknown format ({found!r}).")
    return manifest


def restore(
    archive: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] = print,
) -> Report:
    """Replace the database and documents with those of ``archive`` and check them against its manifest.
    Raises :class:`BackupError` before changing anything when the archive is unusable or the installation
    has data (without ``force``), and after restoring when the result differs from the manifest."""
    archive = Path(archive).resolve()
    if not archive.is_file():
        raise BackupError(f"The backup {archive} does not exist.")
    vendor = _vendor(using)
    try:
        tar = tarfile.open(archive, "r")  # noqa: SIM115 (closed by the with below, after the check)
    except tarfile.TarError as exc:
        raise BackupError(f"{archive} is not a tar archive: {exc}") from None
    with tar:
        manifest = _read_manifest(tar, archive)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"{archive} is a backup of a {manifest['vendor']} database; this installation uses {vendor}. "
                "Restore it into an installation with the same database system."
            )
        if not force:
            found = has_data(using)
            if found:
                raise BackupError(
                    "This installation is not empty (" + "; ".join(found) + "). Restore into an empty "
                    "installation, or pass --force to replace its data."
                )
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".avrop-restore-", dir=media_root.parent) as work:
            database = _extract(tar, manifest, Path(work), media_root)
            progress(f"Archive read: {len(manifest['documents'])} documents.")
            if vendor == "sqlite":
                _restore_sqlite(database, using)
            else:
                _restore_postgresql(database, using)
    progress("Database restored; checking it against the manifest.")
    report = check(manifest, archive, using=using)
    if report.problems:
        raise BackupError(
            "The restored installation differs from the backup:\n- " + "\n- ".join(report.problems)
        )
    return report


def _extract(tar: tarfile.TarFile, manifest: dict[str, Any], work: Path, media_root: Path) -> Path:
    """Extract the database into ``work`` and the documents into ``media_root``; only regular files whose
    names the manifest lists, never outside the two folders."""
    database_name = manifest.get("database")
    if database_name not in {SQLITE_MEMBER, PG_MEMBER}:
        raise BackupError(f"The manifest names an unknown database file {database_name!r}.")
    documents = manifest["documents"]
    database: Path | None = None
    for member in tar:
        if member.name == MANIFEST:
            continue
        if member.name == database_name:
            tar.extract(member, work, filter="data")
            database = work / database_name
        elif member.name.startswith(MEDIA_PREFIX) and member.name[len(MEDIA_PREFIX) :] in documents:
            if not member.isfile():
                raise BackupError(f"{member.name} in the archive is not a regular file.")
            member.name = member.name[len(MEDIA_PREFIX) :]
            tar.extract(member, media_root, filter="data")
        else:
            raise BackupError(f"The archive holds {member.name!r}, which its manifest does not list.")
    if database is None:
        raise BackupError(f"The archive lacks its database file {database_name}.")
    return database


def _restore_sqlite(database: Path, using: str) -> None:
    connection = connections[using]
    target = Path(connection.settings_dict["NAME"])
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source, destination = sqlite3.connect(database), sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()


def _restore_postgresql(database: Path, using: str) -> None:
    connection = connections[using]
    env, name = _pg_env(connection.settings_dict)
    connections.close_all()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            name,
            str(database),
        ],
        env,
        "pg_restore",
    )


def check(manifest: dict[str, Any], archive: Path, *, using: str = DEFAULT_DB_ALIAS) -> Report:
    """Compare the installation with ``manifest``: row counts, documents' hashes, the audit chain."""
    problems = []
    counts = _counts(using)
    for table, expected in sorted(manifest["counts"].items()):
        actual = counts.get(table)
        if actual != expected:
            problems.append(f"table {table}: {actual} rows, the backup had {expected}")
    media_root = Path(settings.MEDIA_ROOT)
    for name, expected_hash in sorted(manifest["documents"].items()):
        path = media_root / name
        if not path.is_file():
            problems.append(f"document {name} is missing")
        elif _sha256(path) != expected_hash:
            problems.append(f"document {name} has SHA-256 {_sha256(path)}, the backup had {expected_hash}")
    model = apps.get_model("core", "AuditEvent")
    events = model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000)
    try:
        verdict = verify(events)
    finally:
        events.close()
    expected_audit = manifest["audit"]
    if verdict.broken is not None:
        problems.append(f"audit chain broken at event {verdict.broken.event_id}: {verdict.broken.problem}")
    elif verdict.count != expected_audit["events"] or verdict.last_hash != expected_audit["head_hash"]:
        problems.append(
            f"audit chain has {verdict.count} events ending in {verdict.last_hash}, the backup had "
            f"{expected_audit['events']} ending in {expected_audit['head_hash']}"
        )
    return Report(
        archive,
        manifest["vendor"],
        counts,
        len(manifest["documents"]),
        verdict.count,
        verdict.last_hash,
        problems,
    )
