"""Live reload: the edited story, and the player's place in it, for every front end.

A writer edits a scene file while the game runs. The TUI and plain mode (``--watch``) both call
``reload_story`` and only show its result, so the rules for keeping a player's place are the same
everywhere: the edit is loaded from scratch; the state is brought across by ``game.migrate`` (the
choices replayed, or the state mapped); a state that cannot be brought across starts again; and a
story that no longer loads changes nothing, with its errors to show.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from game import engine
from game.engine import State
from game.migrate import MigrationError, bring_forward
from game.story import Story, StoryError
from game.story_cache import load_story

SHOWN_ERRORS = 3


class Reload(msgspec.Struct, frozen=True):
    """What a reload did: the story to play from now on and the player's state in it."""

    story: Story | None
    """The edited story, or None when it does not load (keep playing the previous one)."""
    state: State | None
    """The player's state in the edited story (None when there was no game, or it did not load)."""
    summary: str
    """One sentence for the player: reloaded, reloaded from the start, or not loaded."""
    details: tuple[str, ...] = ()
    """What changed for the player, or the first errors of a story that does not load."""

    @property
    def loaded(self) -> bool:
        return self.story is not None


def reload_story(folder: Path, state: State | None) -> Reload:
    """Load the story in ``folder`` afresh and bring ``state`` (the game in progress, if any) into it."""
    try:
        story = load_story(folder)
    except StoryError as exc:
        errors = [str(p) for p in exc.problems if p.is_error]
        shown = errors[:SHOWN_ERRORS]
        if len(errors) > SHOWN_ERRORS:
            shown.append(f"(and {len(errors) - SHOWN_ERRORS} more; run 'daylights check')")
        return Reload(None, None, "The edited story does not load; still playing the previous version.",
                      tuple(shown))
    if state is None:
        return Reload(story, None, "Story reloaded.")
    try:
        moved, notes = bring_forward(story, state, what="the edit")
    except MigrationError as exc:
        return Reload(story, engine.new_game(story), f"Story reloaded, but {exc}; you are back at the start.")
    return Reload(story, moved, "Story reloaded.", notes)
