"""``python -m gsmooth``: the command line of :mod:`gsmooth.cli`."""

import sys

from gsmooth.cli import main

sys.exit(main())
