"""Links in e-mails point where the server listens: `avrop run`/`serve` fill AVROP_BASE_URL from --bind."""

import socket

import pytest

from avrop import cli


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("avrop.kommun.example:8080", "http://avrop.kommun.example:8080"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("unix:/run/avrop.sock", ""),
    ],
)
def test_the_base_url_follows_the_bind_address(bind, expected):
    assert cli.base_url_for(bind) == expected


def test_a_server_on_every_address_links_to_this_machine_by_name():
    assert cli.base_url_for("0.0.0.0:8000") == f"http://{socket.getfqdn()}:8000"
    assert "0.0.0.0" not in cli.base_url_for("0.0.0.0:8000")


def test_a_configured_base_url_is_kept_and_a_missing_one_filled_in(monkeypatch):
    from avrop.ordering import conf

    monkeypatch.delenv("AVROP_BASE_URL", raising=False)
    cli._use_bind_for_links("10.1.2.3:9000")
    assert conf.base_url() == "http://10.1.2.3:9000"
    monkeypatch.setenv("AVROP_BASE_URL", "https://avrop.example.se")
    cli._use_bind_for_links("10.1.2.3:9000")
    assert conf.base_url() == "https://avrop.example.se"
