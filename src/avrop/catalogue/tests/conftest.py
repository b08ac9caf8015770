import pytest


@pytest.fixture(autouse=True)
def catalogue_dirs(settings, tmp_path):
    """Each test gets its own search index, archive and inbound folder."""
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    return tmp_path


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after commit (staging, indexing), as the worker would."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call
