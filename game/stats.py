"""Counts a writer wants at a glance: scenes, choices, items, variables, endings, words per act."""

from __future__ import annotations

import re
from collections import Counter

from game.story.model import Story


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def story_stats(story: Story) -> dict[str, object]:
    per_act: dict[str, dict[str, int]] = {a.id: {"scenes": 0, "words": 0} for a in story.acts}
    for scene in story.scenes.values():
        entry = per_act.setdefault(scene.act, {"scenes": 0, "words": 0})
        entry["scenes"] += 1
        entry["words"] += words(scene.text)
    return {
        "title": story.title,
        "scenes": len(story.scenes),
        "choices": sum(len(s.choices) for s in story.scenes.values()),
        "conditional_choices": sum(1 for s in story.scenes.values() for c in s.choices if c.condition),
        "items": len(story.items),
        "variables": len(story.variables),
        "endings": dict(Counter(s.ending.kind for s in story.endings if s.ending)),
        "words": sum(e["words"] for e in per_act.values()),
        "acts": [{"id": a.id, "title": a.title, **per_act[a.id]} for a in story.acts],
    }
