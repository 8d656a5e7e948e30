"""Rendering text against a state: the same words for the TUI, plain mode, transcripts and tests.

Text is compiled at load (``game.story.text``); here it is only walked. No I/O, no UI: a pure
function of the story, the state and the text, cheap enough to call on every redraw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from game.story.conditions import explain
from game.story.model import Choice, Choose, Run, Scene, Story, Text

if TYPE_CHECKING:
    from game.engine import State


def render_text(text: Text, state: State) -> str:
    """``text`` as the player reads it in ``state``."""
    fixed = text.fixed
    if fixed is not None:
        return fixed
    out: list[str] = []
    _render(text, state, out)
    return "".join(out)


def _render(text: Text, state: State, out: list[str]) -> None:
    for part in text.parts:
        kind = type(part)
        if kind is Run:
            out.append(part.text)  # type: ignore[union-attr]
        elif kind is Choose:
            for branch in part.branches:  # type: ignore[union-attr]
                if branch.condition.test(state):
                    _render(branch.body, state, out)
                    break
            else:
                if part.otherwise is not None:  # type: ignore[union-attr]
                    _render(part.otherwise, state, out)  # type: ignore[union-attr]
        elif part.kind == "variable":  # type: ignore[union-attr]
            out.append(str(state.variables[part.name]))  # type: ignore[union-attr]
        else:
            out.append(str(state.visits.get(part.name, 0)))  # type: ignore[union-attr]


def paragraphs(text: str) -> list[str]:
    """Prose as paragraphs, each on one line: writers wrap lines in YAML, screens wrap them again."""
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


def scene_prose(scene: Scene, state: State) -> str:
    """A scene's prose for ``state``, with the writer's line breaks (see ``scene_paragraphs``)."""
    return render_text(scene.text, state)


def scene_paragraphs(story: Story, state: State) -> list[str]:
    """The current scene's prose as paragraphs, each on one line, ready for a screen to wrap."""
    return paragraphs(render_text(story.scenes[state.scene].text, state))


def choice_text(choice: Choice, state: State) -> str:
    """What the player reads for ``choice`` in ``state``, on one line."""
    return " ".join(render_text(choice.text, state).split())


def lock_reason(story: Story, choice: Choice, state: State) -> str:
    """Why ``choice`` is locked in ``state``: the writer's words, or the game's own."""
    assert choice.locked_reason is not None and choice.condition is not None
    written = " ".join(render_text(choice.locked_reason, state).split())
    if written:
        return written
    return explain(choice.condition.tree, state, {item.id: item.name for item in story.items.values()})


class DossierLine(msgspec.Struct, frozen=True):
    """One shown variable, as the dossier lists it."""

    label: str
    value: int | bool
    text: str
    """The value as words: '3 of 5', '3', 'yes' or 'no'."""
    low: int | None
    high: int | None


def dossier(story: Story, state: State) -> list[DossierLine]:
    """The variables the writer chose to show, with their values in ``state``, in declared order."""
    lines = []
    for variable in story.variables.values():
        label = " ".join(render_text(variable.label, state).split()) if variable.label is not None else ""
        if not label:
            continue
        value = state.variables[variable.id]
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif variable.low is not None and variable.high is not None:
            text = f"{value} of {variable.high}" if variable.low == 0 else \
                f"{value} ({variable.low} to {variable.high})"
        else:
            text = str(value)
        lines.append(DossierLine(label, value, text, variable.low, variable.high))
    return lines
