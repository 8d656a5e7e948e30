"""Where the bundled story lives, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_scenes() -> Path:
    """The folder of the bundled story: packed inside the wheel, or ``scenes/`` beside ``game/``."""
    packed = _PACKAGE / "_story"
    if (packed / "story.yaml").is_file():
        return packed
    return _PACKAGE.parent / "scenes"


def canonical_walkthrough(scenes: Path) -> Path:
    """The film's own path through a story folder."""
    return scenes / "walkthroughs" / "canonical.yaml"
