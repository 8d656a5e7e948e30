"""The story: its content model and the loader that builds it from YAML scene files.

``load_story`` here always parses; ``game.story_cache.load_story`` is what players' front ends
call. The loader (and YAML) are imported only when a story is really parsed, so that importing
the content model stays cheap.
"""

from __future__ import annotations

from pathlib import Path

from game.story.model import Story
from game.story.problems import Problem, StoryError

__all__ = ["Problem", "Story", "StoryError", "check_story", "load_story"]


def load_story(folder: Path | str) -> Story:
    """Parse and validate the story in ``folder``; raises StoryError listing every error."""
    from game.story import loader

    return loader.load_story(folder)


def check_story(folder: Path | str) -> tuple[Story | None, list[Problem]]:
    """Parse and validate ``folder``: the story (None when there are errors) and every error and warning."""
    from game.story import loader

    return loader.check_story(folder)
