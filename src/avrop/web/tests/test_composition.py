"""The shell lists the apps it puts together explicitly; an app that offers a start-page section, an API
router or demo data and is missing from the lists would silently vanish, so these tests name it."""

from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import get_commands

from avrop.web import api, demo, home

SRC = Path(__file__).resolve().parents[2]


def _apps_with(module: str) -> set[str]:
    """The contributing apps: core's home.py and demo.py hold the shared pieces, web's are the assembly."""
    return {
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("avrop.")
        and config.label not in {"core", "web"}
        and (SRC / config.label / f"{module}.py").exists()
    }


def _label(function) -> str:
    return function.__module__.split(".")[1]


def test_every_app_with_a_home_module_contributes_to_the_start_page():
    assert _apps_with("home") == {_label(f) for f in home.CONTRIBUTORS}


def test_every_app_with_an_api_module_has_its_router_mounted():
    assert _apps_with("api") == set(api.ROUTERS)
    for label, router in api.ROUTERS.items():
        assert router is __import__(f"avrop.{label}.api", fromlist=["router"]).router
    paths = api.api.get_openapi_schema()["paths"]
    for label in api.ROUTERS:
        assert any(p.startswith(f"/api/{label}/") for p in paths), label


def test_every_app_with_demo_data_is_loaded():
    assert _apps_with("demo") == {_label(f) for f in (*demo.LOADERS, *demo.LATE_LOADERS)}


@pytest.mark.parametrize("loaders", [demo.LOADERS, demo.LATE_LOADERS])
def test_loaders_run_in_installed_apps_order(loaders):
    order = [config.label for config in apps.get_app_configs()]
    labels = [_label(f) for f in loaders]
    assert labels == sorted(labels, key=order.index)


def test_the_demo_command_is_the_shells():
    assert get_commands()["demo"] == "avrop.web"
