"""The scene graph as Mermaid or Graphviz text: acts as clusters, endings styled by kind."""

from __future__ import annotations

import json

from game.story.model import Scene, Story

KIND_COLOURS = {"canonical": "#2e7d32", "alternate": "#1565c0", "death": "#b71c1c", "failure": "#6d4c41"}


def _label(text: str) -> str:
    return text.replace('"', "'")


def _edges(story: Story) -> list[tuple[str, str, str]]:
    return [(scene.id, choice.target, choice.condition.source if choice.condition else "")
            for scene in story.scenes.values() for choice in scene.choices]


def _by_act(story: Story) -> dict[str, list[Scene]]:
    acts: dict[str, list[Scene]] = {act.id: [] for act in story.acts}
    for scene in story.scenes.values():
        acts.setdefault(scene.act, []).append(scene)
    return acts


def mermaid(story: Story) -> str:
    lines = ["flowchart TD"]
    for act_id, scenes in _by_act(story).items():
        if not scenes:
            continue
        lines.append(f'  subgraph {act_id}["{_label(story.act(act_id).title)}"]')
        for scene in scenes:
            title = _label(scene.ending.title if scene.ending else scene.title)
            shape = f'(["{title}"])' if scene.ending else f'["{title}"]'
            lines.append(f"    {scene.id}{shape}")
        lines.append("  end")
    for source, target, condition in _edges(story):
        arrow = f' -. "{_label(condition)}" .-> ' if condition else " --> "
        lines.append(f"  {source}{arrow}{target}")
    for kind, colour in KIND_COLOURS.items():
        lines.append(f"  classDef {kind} fill:{colour},color:#ffffff")
        members = [s.id for s in story.endings if s.ending and s.ending.kind == kind]
        if members:
            lines.append(f"  class {','.join(members)} {kind}")
    return "\n".join(lines) + "\n"


def dot(story: Story) -> str:
    lines = ["digraph story {", "  rankdir=TB;", "  node [shape=box, style=rounded, fontname=Helvetica];"]
    for act_id, scenes in _by_act(story).items():
        if not scenes:
            continue
        lines.append(f"  subgraph cluster_{act_id} {{")
        lines.append(f"    label={json.dumps(story.act(act_id).title)};")
        for scene in scenes:
            if scene.ending:
                colour = KIND_COLOURS.get(scene.ending.kind, "#000000")
                lines.append(f"    {scene.id} [label={json.dumps(scene.ending.title)}, shape=doubleoctagon, "
                             f'style=filled, fillcolor="{colour}", fontcolor=white];')
            else:
                lines.append(f"    {scene.id} [label={json.dumps(scene.title)}];")
        lines.append("  }")
    for source, target, condition in _edges(story):
        attributes = f" [label={json.dumps(condition)}, style=dashed]" if condition else ""
        lines.append(f"  {source} -> {target}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"
