"""``python -m embedlab.core.cli``: the same as the ``embedlab`` console script."""

import sys

from .main import main

sys.exit(main())
