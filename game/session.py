"""One playthrough as a front end holds it: the undo history, the play clock and saving.

Both front ends (plain mode and the TUI) drive a Session, so undo, autosave after every choice,
endings recorded and the play-time clock behave the same everywhere. No rules live here: every
change of state comes from the engine, every file from the saves module.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from game import engine
from game.engine import State
from game.saves import Loaded, SaveError, SaveInfo, SaveStore
from game.story.model import Ending, Scene, Story


class Session:
    """A playthrough: the states so far (for undo), a clock that can pause, and its saves."""

    def __init__(self, story: Story, store: SaveStore | None = None, state: State | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.story = story
        self.store = store
        self.clock = clock
        self.history: list[State] = [state or engine.new_game(story)]
        self._since: float | None = clock()

    # -- the clock -----------------------------------------------------------------------------
    @property
    def state(self) -> State:
        """The current state, its play time counted up to this moment."""
        current = self.history[-1]
        if self._since is None:
            return current
        return current.with_elapsed(current.elapsed + self.clock() - self._since)

    def pause(self) -> None:
        """Stop the play clock (menus, dialogs, the title screen)."""
        if self._since is not None:
            self.history[-1] = self.state
            self._since = None

    def resume(self) -> None:
        if self._since is None and self.ending is None:
            self._since = self.clock()

    @property
    def running(self) -> bool:
        return self._since is not None

    def _settle(self) -> State:
        """Fold the time played so far into the current state and restart the clock from now."""
        now = self.state
        self.history[-1] = now
        if self._since is not None:
            self._since = self.clock()
        return now

    # -- playing -------------------------------------------------------------------------------
    @property
    def scene(self) -> Scene:
        return self.story.scenes[self.history[-1].scene]

    @property
    def ending(self) -> Ending | None:
        return self.scene.ending

    @property
    def can_undo(self) -> bool:
        return len(self.history) > 1

    def choose(self, choice_id: str) -> list[str]:
        """Take a choice (ChoiceError if it cannot be taken); returns messages for the player.

        Every choice is autosaved except one that ends the story: Continue should bring the
        player back to the last moment they could still act, not to the ending itself.
        """
        following = engine.choose(self.story, self._settle(), choice_id)
        self.history.append(following)
        messages = []
        if self.ending is not None:
            self._since = None
            if self.store is not None:
                messages.extend(self._record_ending(self.store))
        elif self.store is not None:
            try:
                self.store.autosave(self.story, following)
            except SaveError as exc:
                messages.append(f"Autosave failed: {exc}")
        return messages

    def undo(self) -> bool:
        """Go back to the state before the last choice; False when there is nothing to undo."""
        if not self.can_undo:
            return False
        elapsed = self.state.elapsed
        self.history.pop()
        self.history[-1] = self.history[-1].with_elapsed(elapsed)
        self._since = self.clock()
        return True

    def restart(self) -> None:
        self.history = [engine.new_game(self.story)]
        self._since = self.clock()

    def _record_ending(self, store: SaveStore) -> list[str]:
        try:
            if store.record_ending(self.story, self.history[-1]):
                found = len(store.endings_found(self.story))
                return [f"A new ending: {found} of {len(self.story.endings)} found."]
        except SaveError as exc:
            return [f"Could not record the ending: {exc}"]
        return []

    # -- saving --------------------------------------------------------------------------------
    def _require_store(self) -> SaveStore:
        if self.store is None:
            raise SaveError("saving is switched off in this session")
        return self.store

    def save(self, name: str) -> SaveInfo:
        return self._require_store().save(name, self.story, self._settle())

    def quicksave(self) -> SaveInfo:
        return self._require_store().quicksave(self.story, self._settle())

    def load(self, slot: str) -> Loaded:
        """Replace the playthrough with a saved one (undo history starts again from it)."""
        loaded = self._require_store().load(slot, self.story)
        self.history = [loaded.state]
        self._since = None if engine.ending_of(self.story, loaded.state) else self.clock()
        return loaded

    def endings_found(self) -> dict[str, str]:
        return self.store.endings_found(self.story) if self.store is not None else {}
