"""python -m contract: the klimatkontrakt command line."""

import sys

from .cli.main import main

sys.exit(main())
