"""Opening the story on another processor while the game starts up.

A first start (or the first after an edit) has to parse the story, about a tenth of a second for
the bundled one, and the full-screen game spends longer than that importing Textual. On a system
with ``fork`` and more than one processor, ``open_aside`` starts a child process that opens the
story through the story cache, parsing and storing it if it is not there yet, while the game goes
on starting; the game then waits for the child and finds the story in the cache. The child shares
nothing with the game but the cache's files, which it writes atomically, and it never touches the
terminal. Wherever this cannot help (no ``fork``, one processor, the cache turned off) nothing is
started and the game opens the story itself, as it would anyway; if the child fails for any reason
the game's own opening parses the story and reports its errors.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from game.locations import cache_enabled


def open_aside(folder: Path) -> Callable[[], None] | None:
    """Start opening the story in ``folder`` in a child process; the call returned waits for it
    (call it before opening the story). None when nothing was started."""
    if not hasattr(os, "fork") or not cache_enabled() or _processors() < 2:
        return None
    try:
        child = os.fork()
    except OSError:
        return None
    if child == 0:
        code = 1  # a story that cannot be opened: the game's own opening reports why
        try:
            from game.story_cache import load_story

            load_story(folder)
            code = 0
        finally:
            os._exit(code)  # whatever happened, and never the parent's clean-up (its streams, atexit)

    def wait() -> None:
        with contextlib.suppress(ChildProcessError, InterruptedError):
            os.waitpid(child, 0)

    return wait


def _processors() -> int:
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
