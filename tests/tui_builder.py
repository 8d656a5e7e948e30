"""Builds the TUI for Pilot and snapshot tests without running it, and a small story made for them.

Most TUI tests play ``KEYS_STORY``, a story written to exercise the interface (a scene long
enough to scroll, a locked choice, items, a dossier, two endings in two acts), so they test the
screens and keys rather than the bundled story's wording, which writers keep changing.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from game.bundled import bundled_scenes
from game.saves import SaveStore
from game.story import Story, load_story
from game.tui.app import DaylightsApp, StartMode


class FrozenClock:
    """A clock that only moves when a test moves it, so play times in screenshots never change."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def build_app(saves: Path, scenes: Path | None = None, start: StartMode | None = None, load: str | None = None,
              story: Story | None = None, clock: FrozenClock | None = None, watch: bool = False) -> DaylightsApp:
    """The app over ``saves`` (its settings file beside that folder, never the user's own)."""
    settings = saves.parent / f"{saves.name}-settings.json"
    return DaylightsApp(scenes or bundled_scenes(), SaveStore(saves), story=story, start=start, load=load,
                        clock=clock or FrozenClock(), watch=watch, settings=settings)


KEYS_STORY = """\
id: keys
title: The House on the Hill
version: "1"
start: gate
acts:
  approach: The Approach
  house: The House
items:
  lamp:
    name: Brass lamp
    description: It smells of lamp oil and old fingers.
  map:
    name: Folded map
    description: The house is marked with a cross in red ink.
variables:
  courage:
    default: 0
    description: How brave the visitor has been.
    show: Courage
    range: [0, 5]
  secret_count:
    default: 0
    description: Never shown to the player.
"""

_LONG = "\n\n".join(
    f"Paragraph {n} of the gate. The rain keeps on at the iron bars and the lamp in the lodge burns low; "
    "somewhere up the hill a door bangs in the wind, again and again, as if someone wanted it heard."
    for n in range(1, 13))

APPROACH = f"""\
act: approach
scenes:
  gate:
    title: The gate
    text: |
{textwrap.indent(_LONG, "      ")}
    choices:
      - id: take_lamp
        text: Take the lamp from the lodge
        goto: path
        do: {{give: lamp, add: {{courage: 1, secret_count: 1}}}}
      - id: run_away
        text: Turn and run back down the hill
        goto: fled
      - id: open_door
        text: Unlock the lodge door
        goto: house_hall
        if: has map
        locked: true
  path:
    title: The path
    text: The path climbs between dripping laurels.
    choices:
      - id: pick_map
        text: Pick up the map from the mud
        goto: door
        do: {{give: map, add: {{courage: 1}}}}
      - id: go_back
        text: Go back to the gate
        goto: gate
  door:
    title: The door
    text: The front door stands open an inch.
    choices:
      - id: go_in
        text: Go in
        goto: house_hall
  fled:
    title: Down the hill
    text: |
      You run until the house is only a shape against the clouds, and then not even that.

      Nobody follows. Nobody ever will.
    ending: {{kind: failure, title: The Road Home}}
"""

HOUSE = """\
act: house
scenes:
  house_hall:
    title: The hall
    text: Inside, the clocks have all stopped at ten to three.
    ending: {kind: canonical, title: Ten to Three}
"""


def write_keys_story(folder: Path) -> Path:
    """Write ``KEYS_STORY`` into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.yaml").write_text(KEYS_STORY, encoding="utf-8")
    (folder / "1_approach.yaml").write_text(APPROACH, encoding="utf-8")
    (folder / "2_house.yaml").write_text(HOUSE, encoding="utf-8")
    return folder


def keys_story(folder: Path) -> Story:
    return load_story(write_keys_story(folder))
