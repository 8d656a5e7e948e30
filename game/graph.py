"""The scene graph as Mermaid or Graphviz text: acts as clusters, endings styled by kind.

Every edge is labelled with the id of the choice it stands for (the name walkthroughs, routes and
check's messages use), followed by its condition when it has one; conditional edges are dashed.
"""

from __future__ import annotations

import json

from game.story.model import Scene, Story

KIND_COLOURS = {"canonical": "#2e7d32", "alternate": "#1565c0", "death": "#b71c1c", "failure": "#6d4c41"}


def _label(text: str) -> str:
    """A title as one line of Mermaid text: no quote, line break or control character can end the
    label and start a line of its own (a 'click' line would make a link)."""
    return "".join(c if c.isprintable() else " " for c in text).replace('"', "'")


def _edges(story: Story) -> list[tuple[str, str, str, bool]]:
    """(scene, target, label, conditional) for every choice: the label is ``id`` or ``id if COND``."""
    return [(scene.id, choice.target,
             f"{choice.id} if {choice.condition.source}" if choice.condition else choice.id,
             choice.condition is not None)
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
    for source, target, label, conditional in _edges(story):
        arrow = "-.->" if conditional else "-->"
        lines.append(f'  {source} {arrow}|"{_label(label)}"| {target}')
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
    for source, target, label, conditional in _edges(story):
        style = ", style=dashed" if conditional else ""
        lines.append(f"  {source} -> {target} [label={json.dumps(label, ensure_ascii=False)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
