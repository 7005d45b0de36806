"""python -m contract: the klimatkontrakt command line."""

import sys

from .cli.entry import main

sys.exit(main())
