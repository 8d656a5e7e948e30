"""The tutorial in docs/AUTHORING.md works: from 'daylights new', its files make a story that checks
clean and plays, and what it says the commands print is what they print."""

from __future__ import annotations

import re
from pathlib import Path

from game import engine
from game.scaffold import scaffold
from game.story import check_story
from game.walkthrough import read_walkthrough, walk
from tests.conftest import ROOT, run_cli

BLOCK = re.compile(r"```yaml\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.S)
GUIDE = ROOT / "docs" / "AUTHORING.md"


def tutorial_story(folder: Path) -> Path:
    """Follow the tutorial: 'daylights new', delete the example act, write each file it shows."""
    scaffold(folder)
    (folder / "01_shore.yaml").unlink()
    blocks = list(BLOCK.finditer(GUIDE.read_text(encoding="utf-8")))
    assert {m["name"] for m in blocks} == {"story.yaml", "embassy.yaml", "walkthroughs/canonical.yaml"}
    for match in blocks:
        (folder / match["name"]).write_text(f"# file: {match['name']}\n{match['body']}", encoding="utf-8")
    return folder


def test_the_new_story_the_tutorial_starts_from_checks_as_it_says(tmp_path: Path) -> None:
    result = run_cli("new", "heist", cwd=tmp_path)
    assert result.returncode == 0
    summary = run_cli("check", "heist", cwd=tmp_path).stdout.splitlines()[-1]
    assert f'# prints "{summary}"' in GUIDE.read_text(encoding="utf-8")


def test_tutorial_story_passes_strict_check_and_plays_to_its_ending(tmp_path: Path) -> None:
    folder = tutorial_story(tmp_path / "heist")
    story, problems = check_story(folder)
    assert story is not None and problems == []
    result = walk(story, read_walkthrough(folder / "walkthroughs" / "canonical.yaml"))
    assert result.failure is None
    assert engine.ending_of(story, result.final).title == "Through the Front Door"  # type: ignore[union-attr]
    strict = run_cli("check", "--strict", str(folder))
    assert strict.returncode == 0, strict.stdout


def test_tutorial_story_presents_itself(tmp_path: Path) -> None:
    story, _ = check_story(tutorial_story(tmp_path / "heist"))
    assert story is not None
    assert (story.title, story.subtitle, story.author) == ("The Embassy Job", "A story in one act", "You")


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
    documented = re.search(r"heist/embassy\.yaml:(\d+:\d+: error: .*)", GUIDE.read_text(encoding="utf-8"))
    assert documented is not None
    assert [str(p).split("embassy.yaml:")[1] for p in problems] == [documented[1]]


def test_the_schema_refreshed_in_the_tutorial_names_its_scenes(tmp_path: Path) -> None:
    folder = tutorial_story(tmp_path / "heist")
    assert run_cli("schema", "--story", str(folder)).returncode == 0
    assert '"lobby"' in (folder / "schema.json").read_text(encoding="utf-8")
