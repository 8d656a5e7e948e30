"""What an autosave costs the player: the time a choice waits for it, with many saves in the folder.

The TUI hands autosaves to an ``AutosaveWriter``, so a key press pays only for the hand-over;
the durable write (encode, fsync, rename, fsync the folder) runs on the writer's thread. Both
are measured here, each sample with ``named`` named saves of the same story in its folder.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from game import engine
from game.saves import AutosaveWriter, SaveStore
from game.story.model import Story


def fill(store: SaveStore, story: Story, named: int) -> None:
    """``named`` named saves of ``story`` (copies of one real save, so filling stays quick)."""
    store.save("slot-0", story, engine.new_game(story))
    record = store.path(story, "slot-0").read_bytes()
    for number in range(1, named):
        store.path(story, f"slot-{number}").write_bytes(record)


def autosave_ms(story: Story, named: int = 1_000, repeats: int = 25) -> tuple[list[float], list[float]]:
    """Milliseconds per autosave spent by the caller (the UI thread), and by the writer's thread.

    The first list is what a key press waits for: handing the state to the ``AutosaveWriter``
    (what ``Session.choose`` does). The second is one durable ``SaveStore.autosave``.
    """
    with tempfile.TemporaryDirectory() as folder:
        store = SaveStore(Path(folder))
        fill(store, story, named)
        writer = AutosaveWriter(store)
        state = engine.new_game(story)
        state = engine.choose(story, state, engine.open_choices(story, state)[0].id)
        caller: list[float] = []
        durable: list[float] = []
        for _ in range(repeats):
            started = time.perf_counter()
            writer.submit(story, state)
            caller.append((time.perf_counter() - started) * 1000)
            writer.flush()
            started = time.perf_counter()
            store.autosave(story, state)
            durable.append((time.perf_counter() - started) * 1000)
    return caller, durable
