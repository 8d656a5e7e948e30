"""Bringing a state from one version of a story to an edited version of it.

Used when a save made before an edit is loaded, and when live reload swaps the story under a
player. First the path of choice ids is replayed on the new story; if that fails, the state is
mapped across (new variables take their defaults, removed ones are dropped, counters are kept
inside their new ranges); if the state's scene or items are gone, it cannot be brought across and
the reason names what is missing.
"""

from __future__ import annotations

import msgspec
from immutables import Map

from game import engine
from game.engine import ChoiceError, State, Trail
from game.story.model import Story


class MigrationError(Exception):
    """The state cannot be brought to the new story; the message names what is missing."""


def bring_forward(story: Story, state: State, path: list[str] | None = None,
                  what: str = "this save") -> tuple[State, tuple[str, ...]]:
    """``state`` (reached by ``path``, default its own) on ``story``, with notes on what changed."""
    choices = list(state.path) if path is None else path
    try:
        replayed = engine.replay(story, choices)
    except ChoiceError:
        replayed = None
    if replayed is not None:
        note = f"The story has changed since {what}; your choices were replayed on the new version."
        if replayed.scene != state.scene:
            note += f" They now lead to '{story.scenes[replayed.scene].title}'."
        return replayed.with_elapsed(state.elapsed), (note,)
    missing = []
    if state.scene not in story.scenes:
        missing.append(f"scene '{state.scene}'")
    missing += [f"item '{i}'" for i in sorted(state.inventory) if i not in story.items]
    if missing:
        raise MigrationError(f"the story has changed and {', '.join(missing)} no longer "
                             f"{'exists' if len(missing) == 1 else 'exist'}")
    variables = {}
    notes = [f"The story has changed since {what} and your choices no longer replay; "
             "you continue from where you were."]
    for var_id, var in story.variables.items():
        value = state.variables.get(var_id)
        if value is not None and type(value) is type(var.default):
            variables[var_id] = value
            if not isinstance(value, bool) and (var.low is not None or var.high is not None):
                inside = max(value, var.low) if var.low is not None else value
                inside = min(inside, var.high) if var.high is not None else inside
                if inside != value:
                    variables[var_id] = inside
                    notes.append(f"'{var_id}' now ranges from {var.low} to {var.high}: it is {inside}.")
        else:
            variables[var_id] = var.default
            notes.append(f"New in the story: '{var_id}' starts at {str(var.default).lower()}.")
    dropped = sorted(set(state.variables) - set(story.variables))
    if dropped:
        notes.append(f"No longer in the story: {', '.join(dropped)}.")
    visits = {s: n for s, n in state.visits.items() if s in story.scenes}
    used = frozenset(key for key in state.used
                     if (scene := story.scenes.get(key.partition(".")[0])) is not None
                     and scene.choice(key.partition(".")[2]) is not None)
    moved = msgspec.structs.replace(state, variables=Map(variables), visits=Map(visits), path=Trail.of(choices),
                                    used=used)
    return moved, tuple(notes)
