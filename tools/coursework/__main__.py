"""``python -m coursework``: the command line (see ``--help``)."""

import sys

from .cli import main

sys.exit(main())
