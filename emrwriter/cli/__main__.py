"""`python -m emrwriter.cli`: the same as `emrwriter`."""

import sys

from . import main

sys.exit(main())
