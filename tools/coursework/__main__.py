"""``python -m coursework``: the command line (see ``--help``)."""

import sys

from . import main

sys.exit(main())
