import pytest


@pytest.fixture(autouse=True)
def catalogue_dirs(settings, tmp_path):
    """Each test gets its own search index, archive and inbound folder."""
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    return tmp_path
