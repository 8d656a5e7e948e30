"""``python -m game`` is the same program as the ``daylights`` console script."""

import sys

from game.cli import main

sys.exit(main())
