"""Counts a writer wants at a glance: scenes, choices, items, variables, endings, words per act."""

from __future__ import annotations

import re
from collections import Counter

from game.story.model import Scene, Story


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _varies(scene: Scene) -> bool:
    """Whether the scene's prose, a choice's text or a lock reason changes with the state."""
    texts = [scene.text, *(c.text for c in scene.choices),
             *(c.locked_reason for c in scene.choices if c.locked_reason is not None)]
    return any(text.fixed is None for text in texts)


def story_stats(story: Story) -> dict[str, object]:
    per_act: dict[str, dict[str, int]] = {a.id: {"scenes": 0, "words": 0} for a in story.acts}
    for scene in story.scenes.values():
        entry = per_act.setdefault(scene.act, {"scenes": 0, "words": 0})
        entry["scenes"] += 1
        entry["words"] += len(scene.text.words())
    return {
        "title": story.title,
        "scenes": len(story.scenes),
        "choices": sum(len(s.choices) for s in story.scenes.values()),
        "conditional_choices": sum(1 for s in story.scenes.values() for c in s.choices if c.condition),
        "conditional_text_scenes": sum(1 for s in story.scenes.values() if _varies(s)),
        "single_choice_scenes": sum(1 for s in story.scenes.values() if s.ending is None and len(s.choices) == 1),
        "non_ending_scenes": sum(1 for s in story.scenes.values() if s.ending is None),
        "items": len(story.items),
        "variables": len(story.variables),
        "endings": dict(Counter(s.ending.kind for s in story.endings if s.ending)),
        "words": sum(e["words"] for e in per_act.values()),
        "acts": [{"id": a.id, "title": a.title, **per_act[a.id]} for a in story.acts],
    }
