"""The words of the story as the TUI shows them: the one place the screens get prose and choice text.

Scene prose and choice texts vary with the state, so they are rendered for a state by
``game.render`` rather than read off the scene; the play, journal and ending screens all show the
same words as plain mode and transcripts.
"""

from __future__ import annotations

import msgspec

from game import engine, render
from game.engine import ChoiceView, State
from game.story.model import Choice, Story


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
