"""``python -m avrop.edi …``: the same commands as ``avrop edi …``."""

import sys

from avrop.edi.cli import main

sys.exit(main(prog="python -m avrop.edi"))
