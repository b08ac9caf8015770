"""Settings for the test suite: the production settings with AVROP_ENV=test defaults."""

import os

os.environ.setdefault("AVROP_ENV", "test")

from avrop.settings import *  # noqa: E402,F403
