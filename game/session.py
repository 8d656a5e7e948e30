"""One playthrough as a front end holds it: the undo history, the play clock and saving.

Both front ends (plain mode and the TUI) drive a Session, so undo, autosave after every choice,
endings recorded and the play-time clock behave the same everywhere. No rules live here: every
change of state comes from the engine, every file from the saves module.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from game import engine, render
from game.engine import ChoiceError, State
from game.migrate import MigrationError, bring_forward
from game.saves import AutosaveWriter, Saved, SaveError, SaveInfo, SaveStore
from game.story.model import Choice, Ending, Scene, Story


class Loaded(msgspec.Struct, frozen=True):
    state: State
    notes: tuple[str, ...]
    """What changed because the story was edited since the save; empty when nothing did."""


def restore(story: Story, saved: Saved) -> Loaded:
    """Bring a saved game forward to ``story``: as saved, by replaying its path, or by mapping."""
    if saved.story.fingerprint == story.fingerprint:
        return Loaded(saved.state, ())
    try:
        state, notes = bring_forward(story, saved.state, list(saved.path))
    except MigrationError as exc:
        raise SaveError(f"cannot load save '{saved.info.slot}': {exc}; the save file is kept as it was") from None
    return Loaded(state, notes)


class Session:
    """A playthrough: the states so far (for undo), a clock that can pause, and its saves.

    A session started from a ``state`` (a save, a live reload) can undo back through the
    choices that led to it. ``autosave=False`` keeps the session out of the autosave slots (a
    speedrun must never become what Continue opens). With a ``writer`` autosaves are written on
    its background thread; without one they are written before ``choose`` returns.
    """

    def __init__(self, story: Story, store: SaveStore | None = None, state: State | None = None,
                 clock: Callable[[], float] = time.monotonic, *, autosave: bool = True,
                 writer: AutosaveWriter | None = None) -> None:
        self.story = story
        self.store = store
        self.clock = clock
        self.autosave = autosave
        self.writer = writer
        self.history = rebuild_history(story, state) if state is not None else [engine.new_game(story)]
        self._since: float | None = clock()
        self.unsaved = False
        """True when moves were made since the last named save, quicksave, load or new game:
        front ends ask before New game, Load, Quickload or Restart throw them away."""

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
        self.unsaved = True
        messages = [f"Autosave failed: {failure}" for failure in self.writer.take_failures()] if self.writer else []
        if self.ending is not None:
            self._since = None
            if self.store is not None:
                messages.extend(self._record_ending(self.store))
        elif self.store is not None and self.autosave:
            if self.writer is not None:
                self.writer.submit(self.story, following)
            else:
                try:
                    self.store.autosave(self.story, following)
                except SaveError as exc:
                    messages.append(f"Autosave failed: {exc}")
        return messages

    def undo(self) -> bool:
        """Go back to the state before the last choice (or restart); False when there is none.

        The play clock keeps the time spent since; undoing a restart adds back the time played
        before it.
        """
        if not self.can_undo:
            return False
        elapsed = self.state.elapsed
        undone = self.history.pop()
        previous = self.history[-1]
        if undone.moves < previous.moves:
            elapsed += previous.elapsed
        self.history[-1] = previous.with_elapsed(elapsed)
        self._since = self.clock()
        self.unsaved = True
        return True

    def restart(self) -> None:
        """Start again from the beginning, the play clock from zero; undo takes the player back."""
        self._settle()
        self.history.append(engine.new_game(self.story))
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
        info = self._require_store().save(name, self.story, self._settle())
        self.unsaved = False
        return info

    def quicksave(self) -> SaveInfo:
        info = self._require_store().quicksave(self.story, self._settle())
        self.unsaved = False
        return info

    def load(self, slot: str) -> Loaded:
        """Replace the playthrough with a saved one; undo goes back through the choices that led to it."""
        store = self._require_store()
        self.flush(timeout=30)
        loaded = restore(self.story, store.read(slot, self.story))
        self.history = rebuild_history(self.story, loaded.state)
        self._since = None if engine.ending_of(self.story, loaded.state) else self.clock()
        self.unsaved = False
        return loaded

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every autosave is written (before reading saves, and before leaving)."""
        return self.writer.flush(timeout) if self.writer is not None else True

    def endings_found(self) -> dict[str, str]:
        return self.store.endings_found(self.story) if self.store is not None else {}


def rebuild_history(story: Story, state: State) -> list[State]:
    """Every state from a new game to ``state``, by replaying its path: the undo history of a
    loaded save. Just ``[state]`` when the path no longer leads there (a story edited since)."""
    history = [engine.new_game(story)]
    try:
        for choice_id in state.path:
            history.append(engine.choose(story, history[-1], choice_id))
    except ChoiceError:
        return [state]
    if history[-1] != state.with_elapsed(0.0):
        return [state]
    history[-1] = state
    return history


class JournalStep(msgspec.Struct, frozen=True):
    """One scene of a playthrough as it was shown then, and the choice taken there (None: you are here)."""

    state: State
    choice: Choice | None

    def choice_text(self) -> str | None:
        return render.choice_text(self.choice, self.state) if self.choice is not None else None


def journal(story: Story, state: State) -> list[JournalStep]:
    """Each scene of this playthrough in the state it was entered in, with the choice taken there.

    A save brought forward from an edited story may hold a path that no longer replays; the
    journal then stops where the path breaks and ends with the current scene.
    """
    steps: list[JournalStep] = []
    current = engine.new_game(story)
    for choice_id in state.path:
        try:
            following = engine.choose(story, current, choice_id)
        except engine.ChoiceError:
            break
        steps.append(JournalStep(current, story.scenes[current.scene].choice(choice_id)))
        current = following
    steps.append(JournalStep(state, None))
    return steps
