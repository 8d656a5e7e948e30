"""The story: its content model and the loader that builds it from YAML scene files."""

from game.story.cache import check_story, load_story
from game.story.model import Story
from game.story.problems import Problem, StoryError

__all__ = ["Problem", "Story", "StoryError", "check_story", "load_story"]
