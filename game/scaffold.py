"""``daylights new DIR``: a small story that plays, checks clean and shows the format by example.

Like ``cargo new``, it writes a starting point rather than a blank page: a story.yaml that
declares an act, an item, a counter and two canonical beats; one act file with a locked choice and
three endings; the canonical walkthrough that ``check`` replays; and ``schema.json``, the schema
with this story's names, which the first line of each scene file points editors at. It only ever
writes into a new or empty folder, so it cannot overwrite anyone's work.
"""

from __future__ import annotations

import re
from pathlib import Path

STORY_YAML = """\
# yaml-language-server: $schema=schema.json
# What the story declares: every act, item, variable and plot beat that scenes may name.
id: {id}
title: {title}
subtitle: A story in one act
author: Your name
blurb: >
  A keeper's lantern, a dark stair and a light that has been out for a week.
  (Made by 'daylights new': change every word of it.)
version: "1"
start: shore

acts:
  shore: The shore

items:
  lantern:
    name: Storm lantern
    description: Its glass is cracked, but it still holds a flame.

variables:
  courage:
    default: 0
    description: How bold you have been so far; a bold player climbs without a light.

beats:
  arrival: {{title: You arrive at the lighthouse, canonical: true}}
  the_light: {{title: The light burns again, canonical: true}}
"""

ACT_YAML = """\
# yaml-language-server: $schema=schema.json
# The scenes of one act. Each scene has a title, text, and choices or an ending.
act: shore
scenes:
  shore:
    title: The landing stage
    beats: [arrival]
    text: |
      The boat bumps against the landing stage. Above you the lighthouse stands
      dark against the evening, its lamp unlit for a week.

      A storm lantern rolls in the bottom of the boat.
    choices:
      - id: take_lantern
        text: Take the lantern and walk up to the door
        goto: door
        do: {give: lantern}
      - id: walk_up
        text: Leave the lantern and stride up the path
        goto: door
        do: {add: {courage: 1}}

  door:
    title: The lighthouse door
    text: |
      The door is open. Inside, a stair winds up into perfect darkness.
    choices:
      - id: climb
        text: Climb the stair by lantern light
        goto: lamp_room
        if: has lantern
        locked: It is pitch dark; you would need a light.
      - id: climb_in_the_dark
        text: Feel your way up in the dark
        goto: fall
        if: courage >= 1
      - id: go_home
        text: Row back home before night falls
        goto: home

  lamp_room:
    title: The lamp room
    text: |
      The great lens waits, dusty, around a wick that has burnt down to nothing.
    choices:
      - id: light_the_lamp
        text: Trim the wick and light it from your lantern
        goto: lit

  lit:
    title: Light
    beats: [the_light]
    text: |
      The flame takes. The lens throws it out across the water, and far off a ship
      that was feeling its way along the rocks turns safely for the harbour.
    ending: {kind: canonical, title: The Light Burns Again}

  fall:
    title: A missed step
    text: |
      Halfway up, a step is missing. You find out the hard way.
    ending: {kind: death, title: A Missed Step}

  home:
    title: Home before dark
    text: |
      You row home. That night, out on the rocks, nobody sees the ship until too late.
    ending: {kind: failure, title: Home Before Dark}
"""

CANONICAL_YAML = """\
# The canonical path: the choices that tell the story as you mean it. 'daylights check'
# replays every walkthrough in this folder and checks this one shows the canonical beats.
ending: lit
choices: [take_lantern, climb, light_the_lamp]
"""


class ScaffoldError(Exception):
    """The story cannot be created there; the message says why and what to do."""


def story_id(folder: Path) -> str:
    """A story id from a folder name: 'My Story-2' → 'my_story_2' (ids start with a letter or _)."""
    name = re.sub(r"[^a-z0-9_]+", "_", folder.resolve().name.lower()).strip("_") or "story"
    return name if not name[0].isdigit() else f"story_{name}"


def scaffold(folder: Path) -> list[tuple[Path, str]]:
    """Write a new story into ``folder`` (created if missing; must be empty if present).

    Returns each file written with a few words on what it is for, in the order worth reading.
    """
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is a file; give a folder name for the new story")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldError(f"{folder} is not empty; 'daylights new' only writes into a new or empty folder, "
                            "so that it never overwrites your work")
    ident = story_id(folder)
    title = " ".join(word.capitalize() for word in ident.split("_") if word)
    files = [
        (folder / "story.yaml", STORY_YAML.format(id=ident, title=title),
         "the story's title, start, acts, items, variables and plot beats"),
        (folder / "01_shore.yaml", ACT_YAML, "the scenes of the first act"),
        (folder / "walkthroughs" / "canonical.yaml", CANONICAL_YAML,
         "the canonical path, replayed by 'daylights check'"),
    ]
    try:
        for path, text, _ in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        schema = folder / "schema.json"
        schema.write_text(_schema_for(folder), encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot write the new story in {folder}: {exc.strerror}") from exc
    return [*((path, what) for path, _, what in files),
            (schema, "this story's names for your editor (refresh: 'daylights schema --story DIR')")]


def _schema_for(folder: Path) -> str:
    """The story schema of the story just written, which always loads: its text above is fixed."""
    from game.story import check_story
    from game.story.schema import story_schema_text

    story, problems = check_story(folder)
    if story is None:
        raise ScaffoldError(f"the new story does not load: {problems[0]}")
    return story_schema_text(story)
