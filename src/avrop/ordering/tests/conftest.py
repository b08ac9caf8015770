import pytest

from avrop.ordering.tests.factories import build_world


@pytest.fixture(autouse=True)
def ordering_dirs(settings, tmp_path):
    """Each test gets its own access-point folder, media root and search index."""
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = "http://testserver"
    return tmp_path


@pytest.fixture
def world(db):
    return build_world()
