"""The tutorial in docs/AUTHORING.md works: its files make a story that checks clean and plays."""

from __future__ import annotations

import re
from pathlib import Path

from game import engine
from game.story import check_story
from game.walkthrough import read_walkthrough, walk
from tests.conftest import ROOT

BLOCK = re.compile(r"```yaml\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.S)


def tutorial_story(folder: Path) -> Path:
    text = (ROOT / "docs" / "AUTHORING.md").read_text(encoding="utf-8")
    blocks = list(BLOCK.finditer(text))
    assert {m["name"] for m in blocks} == {"story.yaml", "embassy.yaml", "walkthroughs/canonical.yaml"}
    for match in blocks:
        path = folder / match["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# file: {match['name']}\n{match['body']}", encoding="utf-8")
    return folder


def test_tutorial_story_passes_strict_check_and_plays_to_its_ending(tmp_path: Path) -> None:
    folder = tutorial_story(tmp_path / "heist")
    story, problems = check_story(folder)
    assert story is not None and problems == []
    result = walk(story, read_walkthrough(folder / "walkthroughs" / "canonical.yaml"))
    assert result.failure is None
    assert engine.ending_of(story, result.final).title == "Through the Front Door"


def test_tutorial_locked_choice_shows_its_reason(tmp_path: Path) -> None:
    story, _ = check_story(tutorial_story(tmp_path / "heist"))
    assert story is not None
    state = engine.replay(story, ["talk_to_guard", "talk_to_guard", "pick_up_card"])
    views = {v.choice.id: v for v in engine.choice_views(story, state)}
    assert views["show_card"].locked_reason == "The guard is watching you far too closely now."


def test_tutorial_typo_example_gives_the_documented_message(tmp_path: Path) -> None:
    folder = tutorial_story(tmp_path / "heist")
    embassy = folder / "embassy.yaml"
    embassy.write_text(embassy.read_text().replace("goto: lobby", "goto: loby"))
    _, problems = check_story(folder)
    documented = re.search(r"heist/embassy\.yaml:(\d+:\d+: error: .*)", (ROOT / "docs" / "AUTHORING.md").read_text())
    assert documented is not None
    assert [str(p).split("embassy.yaml:")[1] for p in problems] == [documented[1]]
