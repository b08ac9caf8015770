"""``avrop backup`` and ``avrop restore``: a backup of this test database restored into an empty installation
(a second data directory and, on PostgreSQL, a scratch database of its own) has the same row counts,
documents and audit chain, and its search index is rebuilt."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from avrop.core.audit import audit
from avrop.core.auditchain import GENESIS
from avrop.core.backup import MANIFEST, BackupError, backup, restore
from avrop.core.models import AuditEvent
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role

SQLITE = connection.vendor == "sqlite"
DOCUMENTS = {
    "payables/2026/12/invoice.pdf": b"%PDF-1.4 an invoice\n" + bytes(range(256)) * 40,
    "ordering/attachments/spec.txt": "Specifikation – åäö\n".encode(),
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def scratch_database() -> Iterator[str | None]:
    """On PostgreSQL the URL of a new, empty database of this test's own (dropped afterwards); None on
    SQLite, where the second installation's database is a file in its data directory."""
    if SQLITE:
        yield None
        return
    params = connection.settings_dict
    name = f"avrop_restore_{os.getpid()}"
    admin = psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    url = urlsplit(os.environ["DATABASE_URL"])
    try:
        yield urlunsplit(url._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _avrop(data_dir: Path, database_url: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    """``avrop ARGS`` as the second installation: its own data directory and database."""
    env = {
        **os.environ,
        "AVROP_ENV": "test",
        "SECRET_KEY": "restore-test-" + "x" * 40,
        "AVROP_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "avrop.settings",
    }
    env.pop("MEDIA_ROOT", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "avrop.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=data_dir,
        check=False,
    )


def _restored_counts(data_dir: Path, database_url: str | None, tables: list[str]) -> dict[str, int]:
    if database_url is None:
        with sqlite3.connect(data_dir / "avrop.sqlite3") as db:
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    with psycopg.connect(database_url) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_installation(tmp_path, settings, make_member, scratch_database) -> None:
    settings.MEDIA_ROOT = tmp_path / "a" / "media"
    for name, data in DOCUMENTS.items():
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    user, organisation = make_member(Role.COORDINATOR)
    make_member(Role.REQUISITIONER, organisation=organisation)
    for n in range(3):
        audit(actor=user, action="backup.test", obj=organisation, after={"n": n})
    head = AuditEvent.objects.order_by("-sequence").values_list("hash", flat=True).first()
    assert head and head != GENESIS
    events = AuditEvent.objects.count()
    organisations = Organisation.objects.count()

    archive = tmp_path / "avrop.tar"
    call_command("backup", str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert names == {MANIFEST, manifest["database"], *(f"media/{n}" for n in DOCUMENTS)}
    assert manifest["documents"] == {name: _sha(data) for name, data in DOCUMENTS.items()}
    assert manifest["audit"] == {"events": events, "head_hash": head}
    assert manifest["counts"]["organisations_organisation"] == organisations
    assert manifest["counts"]["core_auditevent"] == events

    b = tmp_path / "b"
    b.mkdir()
    result = _avrop(b, scratch_database, "restore", str(archive))
    assert result.returncode == 0, result.stderr
    assert f"audit chain intact: {events} events, head {head}" in result.stdout
    assert "Indexed" in result.stdout  # the search index was rebuilt
    assert (b / "search").is_dir()

    # Checked here too, not only by restore itself: counts, documents, the audit chain.
    tables = sorted(manifest["counts"])
    assert _restored_counts(b, scratch_database, tables) == manifest["counts"]
    for name, data in DOCUMENTS.items():
        assert _sha((b / "media" / name).read_bytes()) == _sha(data)
    verified = _avrop(b, scratch_database, "audit_verify")
    assert verified.returncode == 0, verified.stderr
    assert f"{events} events, chain intact" in verified.stdout
    assert head in verified.stdout

    # The second installation now has data: a second restore is refused unless forced.
    again = _avrop(b, scratch_database, "restore", str(archive))
    assert again.returncode != 0
    assert "not empty" in again.stderr and "--force" in again.stderr
    forced = _avrop(b, scratch_database, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_data_and_finds_a_changed_document(tmp_path, settings, scratch_database) -> None:
    settings.MEDIA_ROOT = tmp_path / "a" / "media"
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "doc.xml").write_bytes(b"<Invoice/>")
    archive = tmp_path / "avrop.tar"
    call_command("backup", str(archive), stdout=io.StringIO())

    # Restoring over this installation (it has a document): refused without --force, naming what is there,
    # before anything is changed.
    with pytest.raises(CommandError, match=r"not empty \(1 documents under .*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert (settings.MEDIA_ROOT / "doc.xml").read_bytes() == b"<Invoice/>"

    # An archive whose document was changed after its manifest was written fails the check.
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "media/doc.xml":
                data = b"<Invoice>forged</Invoice>"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    b = tmp_path / "b"
    b.mkdir()
    result = _avrop(b, scratch_database, "restore", str(tampered))
    assert result.returncode != 0
    assert "differs from the backup" in result.stderr
    assert f"document doc.xml has SHA-256 {_sha(b'<Invoice>forged</Invoice>')}" in result.stderr


def test_restore_names_a_file_that_is_not_a_backup(tmp_path) -> None:
    not_tar = tmp_path / "notes.txt"
    not_tar.write_text("hello")
    with pytest.raises(BackupError, match="is not a tar archive"):
        restore(not_tar, progress=lambda _: None)
    missing = tmp_path / "missing.tar"
    with pytest.raises(BackupError, match="does not exist"):
        restore(missing, progress=lambda _: None)


def test_backup_refuses_to_write_into_the_documents_it_backs_up(tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "backups").mkdir(parents=True)
    with pytest.raises(BackupError, match="Write the backup outside MEDIA_ROOT"):
        backup(tmp_path / "media" / "backups" / "avrop.tar", progress=lambda _: None)
    assert not list((tmp_path / "media" / "backups").iterdir())
