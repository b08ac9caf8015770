"""Two machines against one PostgreSQL and Redis: a price list approved through one node's web server is
found through the other's within seconds.

Real processes: two web servers (``avrop serve``: gunicorn) with their own data directories, so their own
search indexes, and two task workers (``avrop worker``, Huey on Redis), one beside each. The documents live on
one directory both nodes share (``MEDIA_ROOT``). Node 2 learns of the approval only through the database's
change feed (``avrop.catalogue.services.feed``)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.urls import reverse

from avrop.catalogue.models import CatalogueItem, CatalogueVersion, InboundFile
from avrop.catalogue.tests.factories import csv_bytes, office_rows, receive, row, setup_agreement
from avrop.core.tokens import api_token_create

PASSWORD = "secret-password-1"  # UserFactory's
START_SECONDS = 60
FOUND_WITHIN_SECONDS = 15


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Node:
    """One machine: a web server and a worker with their own data directory, the documents shared."""

    def __init__(self, name: str, root: Path, shared: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = root / name
        self.data.mkdir()
        self.logs: list[Path] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "avrop.settings",
            "AVROP_ENV": "test",
            "AVROP_TEST_REAL_QUEUE": "true",
            "AVROP_HTTPS": "false",
            "DATABASE_URL": _database_url(),
            "HUEY_REDIS_URL": os.environ["HUEY_REDIS_URL"],
            "HUEY_WORKERS": "1",
            "AVROP_DATA_DIR": str(self.data),
            "MEDIA_ROOT": str(shared / "media"),
            "CATALOGUE_INBOUND_DIR": str(shared / "inbound"),
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "2",
            "CATALOGUE_FEED_CHECK_SECONDS": "2",  # as in production (the test suite turns the check off)
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CATALOGUE_SEARCH_DIR", None)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        for what, args in (("web", ["serve", "--bind", f"127.0.0.1:{self.port}"]), ("worker", ["worker"])):
            log = self.data / f"{what}.log"
            self.logs.append(log)
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(  # noqa: S603 (our own command)
                        [sys.executable, "-m", "avrop.cli", *args],
                        env=self.env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            for process in self.processes:
                assert process.poll() is None, self.tail()
            try:
                if requests.get(f"{self.url}/login/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        pytest.fail(f"{self.url} did not answer within {START_SECONDS} s\n{self.tail()}")

    def search(self, token: str, text: str) -> list[str]:
        response = requests.get(
            f"{self.url}/api/catalogue/search",
            params={"q": text},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    def tail(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in self.logs)

    def stop(self) -> None:
        # gunicorn stops at once on SIGQUIT (SIGTERM waits for requests), Huey's consumer on SIGTERM.
        for process, stop in zip(self.processes, (signal.SIGQUIT, signal.SIGTERM), strict=True):
            if process.poll() is None:
                os.killpg(process.pid, stop)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _found_within(node: Node, key: str, since: float) -> float:
    """Seconds from ``since`` until ``node`` finds the new item; fails after ``FOUND_WITHIN_SECONDS``."""
    found: list[str] = []
    while time.monotonic() - since < FOUND_WITHIN_SECONDS:
        found = node.search(key, "laminator")
        if found:
            break
        time.sleep(0.25)
    took = time.monotonic() - since
    assert found == ["Laminator A3"], f"not found through {node.url} in {took:.1f} s\n{node.tail()}"
    return took


@pytest.fixture
def shared_storage(settings, tmp_path):
    shared = tmp_path / "common"
    settings.MEDIA_ROOT = str(shared / "media")
    settings.CATALOGUE_INBOUND_DIR = str(shared / "inbound")
    return shared


@pytest.mark.django_db(transaction=True)
@pytest.mark.redis
@pytest.mark.skipif(
    not os.environ.get("HUEY_REDIS_URL"), reason="HUEY_REDIS_URL is not set (no Redis server given)"
)
def test_a_price_list_approved_through_one_node_is_found_through_the_other(
    make_member, shared_storage, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip(reason="needs PostgreSQL (DATABASE_URL): several machines cannot share an SQLite file")
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes([*office_rows(3), row("NY-1", "Laminator A3")]),
    )
    assert version.status == CatalogueVersion.Status.REVIEW
    _token, key = api_token_create(actor=requisitioner, user=requisitioner, organisation=buyer, name="nod")

    nodes = [Node("node1", tmp_path, shared_storage), Node("node2", tmp_path, shared_storage)]
    try:
        started = time.monotonic()
        for node in nodes:
            node.start()
        for node in nodes:
            node.wait_ready(started + START_SECONDS)
        ready_at = time.monotonic()
        assert nodes[1].search(key, "laminator") == []

        # The coordinator approves on node 1's page.
        web = requests.Session()
        login = web.get(f"{nodes[0].url}/login/", timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
        assert csrf is not None
        answer = web.post(
            f"{nodes[0].url}/login/",
            data={
                "csrfmiddlewaretoken": csrf.group(1),
                "username": coordinator.get_username(),
                "password": PASSWORD,
            },
            headers={"Referer": f"{nodes[0].url}/login/"},
            timeout=10,
        )
        assert answer.status_code == 200 and "sessionid" in web.cookies, answer.text[-2000:]
        page = web.get(f"{nodes[0].url}{reverse('catalogue:price_list', args=[version.pk])}", timeout=10)
        assert page.status_code == 200
        approve_url = f"{nodes[0].url}{reverse('catalogue:approve', args=[version.pk])}"
        approved = web.post(
            approve_url,
            data={"csrfmiddlewaretoken": web.cookies["csrftoken"], "comment": ""},
            headers={"Referer": approve_url},
            timeout=30,
        )
        assert approved.status_code == 200, approved.text[-2000:]
        approved_at = time.monotonic()
        version.refresh_from_db()
        assert version.status == CatalogueVersion.Status.ACTIVE

        # Node 2 finds the new item through its own index, which only the change feed told; node 1 too.
        took = [_found_within(node, key, approved_at) for node in reversed(nodes)]
        print(
            f"two nodes: started in {ready_at - started:.1f} s; found through node 2 {took[0]:.2f} s and "
            f"through node 1 {took[1]:.2f} s after the approval on node 1"
        )
        for node in nodes:
            assert list((node.data / "search").glob("items-*.feed")), node.tail()

        # The documents are stored once, on the shared storage, under a path relative to it.
        stored = InboundFile.objects.get(pk=version.inbound_file_id)
        assert not Path(stored.path).is_absolute()
        assert (shared_storage / "media" / stored.path).is_file()
        assert not any(str(node.data) in stored.path for node in nodes)
        assert CatalogueItem.objects.filter(agreement=agreement, name="Laminator A3", is_active=True).exists()
    finally:
        for node in nodes:
            node.stop()


def test_every_folder_documents_pass_through_can_be_pointed_at_shared_storage(
    settings, monkeypatch, tmp_path
):
    """The operator points each folder at shared storage from the environment; only the search index is
    the node's own. (Runs on SQLite too: no server needed.)"""
    from avrop.catalogue.search import search_dir
    from avrop.catalogue.services.imports import inbound_root
    from avrop.ordering import conf as ordering_conf
    from avrop.payables import conf as payables_conf
    from avrop.receivables.outbox import default_access_point

    for name in (
        "CATALOGUE_SEARCH_DIR",
        "CATALOGUE_INBOUND_DIR",
        "ORDERING_PEPPOL_DIR",
        "PAYABLES_PEPPOL_DIR",
        "RECEIVABLES_PEPPOL_DIR",
        "RECEIVABLES_ACCESS_POINT",
    ):
        if hasattr(settings, name):
            delattr(settings, name)
    settings.DATA_DIR = tmp_path / "node"
    assert search_dir() == tmp_path / "node" / "search"
    shared = tmp_path / "common"
    for name, folder in {
        "CATALOGUE_SEARCH_DIR": tmp_path / "local" / "search",
        "CATALOGUE_INBOUND_DIR": shared / "inbound",
        "ORDERING_PEPPOL_DIR": shared / "peppol" / "ordering",
        "PAYABLES_PEPPOL_DIR": shared / "peppol" / "payables",
        "RECEIVABLES_PEPPOL_DIR": shared / "peppol" / "receivables",
    }.items():
        monkeypatch.setenv(name, str(folder))
    assert search_dir() == tmp_path / "local" / "search"
    assert inbound_root() == shared / "inbound"
    assert ordering_conf.peppol_dir() == shared / "peppol" / "ordering"
    assert payables_conf.peppol_dir() == shared / "peppol" / "payables"
    assert default_access_point().root == shared / "peppol" / "receivables"


@pytest.mark.django_db
def test_stored_documents_are_referenced_relative_to_the_shared_folder(make_member, settings, tmp_path):
    from django.apps import apps
    from django.db import models

    settings.MEDIA_ROOT = str(tmp_path / "common" / "media")
    coordinator, _requisitioner, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(2))
    )
    stored = InboundFile.objects.get(pk=version.inbound_file_id)
    assert not Path(stored.path).is_absolute()
    assert (tmp_path / "common" / "media" / stored.path).is_file()
    # Every file field stores a name under MEDIA_ROOT (Django's storage), never a path of its own.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and isinstance(field.upload_to, str):
                assert not Path(field.upload_to).is_absolute(), (model, field.name)
