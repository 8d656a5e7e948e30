"""The words of the story as the TUI shows them: the one place the screens get prose and choice text.

Scene prose and choice texts vary with the state, so they are rendered for a state by
``game.render`` rather than read off the scene; the play, journal and ending screens all show the
same words as plain mode and transcripts.
"""

from __future__ import annotations

from game import render
from game.engine import ChoiceView, State
from game.story.model import Story


def scene_paragraphs(story: Story, state: State) -> list[str]:
    """The current scene's prose in ``state``, one string per paragraph."""
    return render.scene_paragraphs(story, state)


def choice_text(view: ChoiceView) -> str:
    """A choice's words as offered in the state its view was made for."""
    return view.text


def locked_reason(view: ChoiceView) -> str:
    """Why a locked choice cannot be taken yet, in the words the writer (or the game) gave."""
    return view.locked_reason or ""


def dossier_lines(story: Story, state: State) -> list[str]:
    """The dossier as lines of text: each shown variable's label and value (hidden ones never)."""
    return [f"{line.label}: {line.text}" for line in render.dossier(story, state)]


def has_dossier(story: Story) -> bool:
    """Whether the writer declared any variable to be shown (else the dossier key does nothing)."""
    return any(variable.label is not None for variable in story.variables.values())
