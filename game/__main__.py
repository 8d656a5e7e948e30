"""``python -m game`` is the same program as the ``daylights`` console script."""

from game.cli import run

run()
