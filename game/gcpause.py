"""Pausing Python's cyclic garbage collector while building large acyclic structures.

Loading a story or exploring its states allocates hundreds of thousands of small objects and no
reference cycles; the collector would otherwise rescan the growing heap again and again (this
alone made loading a 10,000-scene story three times slower). Reference counting still frees
everything as usual while the collector is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _StartUp:
    """Whether the collector is paused for start-up (see ``start_up``)."""

    paused = False


@contextmanager
def start_up() -> Iterator[None]:
    """Run a program with the collector paused until ``start_up_done``, or to the end of the block.

    Starting the game imports a few hundred modules and builds its screens: tens of thousands of
    objects that live as long as the program and almost no garbage, which the collector would
    otherwise scan over and over (a tenth of the time to the first frame).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    _StartUp.paused = was_enabled
    try:
        yield
    finally:
        if _StartUp.paused:
            _StartUp.paused = False
            gc.enable()


def start_up_done() -> None:
    """End the start-up pause: freeze what start-up built, so later collections skip it, and collect again."""
    if _StartUp.paused:
        _StartUp.paused = False
        gc.freeze()
        gc.enable()
