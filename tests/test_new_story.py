"""``daylights new DIR``: a new writer's first story plays, checks clean and helps the editor."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import jsonschema
import yaml

from game import engine
from game.scaffold import story_id
from game.story import check_story
from game.story.schema import story_schema
from game.walkthrough import read_walkthrough, walk
from tests.conftest import run_cli


def new_story(tmp_path: Path, name: str = "my-first story") -> Path:
    folder = tmp_path / name
    result = run_cli("new", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def test_a_new_story_passes_strict_check_with_no_warnings(tmp_path: Path) -> None:
    folder = new_story(tmp_path)
    result = run_cli("check", "--strict", str(folder))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("0 errors, 0 warnings")


def test_a_new_story_plays_to_its_canonical_ending_in_plain_mode(tmp_path: Path) -> None:
    folder = new_story(tmp_path)
    result = run_cli("play", str(folder), "--plain", input="1\n1\n1\n")
    assert result.returncode == 0, result.stderr
    assert "*** THE END: The Light Burns Again (canonical ending, 3 moves) ***" in result.stdout


def test_a_new_story_has_the_files_a_writer_needs_and_names_them(tmp_path: Path) -> None:
    folder = tmp_path / "lighthouse"
    result = run_cli("new", str(folder))
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == [
        "01_shore.yaml", "schema.json", "story.yaml", "walkthroughs/canonical.yaml"]
    for name in ("story.yaml", "01_shore.yaml", "walkthroughs/canonical.yaml", "schema.json"):
        assert str(folder / name) in result.stdout
    assert f"daylights check {shlex.quote(str(folder))}" in result.stdout


def test_a_new_story_presents_itself_with_title_subtitle_author_and_blurb(tmp_path: Path) -> None:
    story, _ = check_story(new_story(tmp_path, "the-lighthouse"))
    assert story is not None
    assert (story.id, story.title, story.subtitle, story.author) == (
        "the_lighthouse", "The Lighthouse", "A story in one act", "Your name")
    assert story.blurb.startswith("A keeper's lantern")


def test_a_folder_name_holding_a_terminal_escape_is_shown_not_obeyed(tmp_path: Path) -> None:
    result = run_cli("new", str(tmp_path / "\x1b]0;pwned\x07\x1b[31mred"))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;pwned\\x07\\x1b[31mred/story.yaml" in result.stdout


def test_story_ids_are_made_from_any_folder_name() -> None:
    assert story_id(Path("My Story-2")) == "my_story_2"
    assert story_id(Path("1984")) == "story_1984"
    assert story_id(Path("---")) == "story"


def test_the_canonical_walkthrough_of_a_new_story_reaches_its_canonical_ending(tmp_path: Path) -> None:
    folder = new_story(tmp_path)
    story, _ = check_story(folder)
    assert story is not None
    result = walk(story, read_walkthrough(folder / "walkthroughs" / "canonical.yaml"))
    ending = engine.ending_of(story, result.final)
    assert result.failure is None and ending is not None and ending.kind == "canonical"


def test_every_file_of_a_new_story_points_its_editor_at_a_schema_that_accepts_it(tmp_path: Path) -> None:
    folder = new_story(tmp_path)
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    story, _ = check_story(folder)
    assert story is not None and schema == story_schema(story)
    for name in ("story.yaml", "01_shore.yaml"):
        text = (folder / name).read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=schema.json\n")
        jsonschema.validate(yaml.safe_load(text), schema)


def test_new_refuses_a_folder_that_is_not_empty_and_leaves_it_alone(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my work")
    result = run_cli("new", str(folder))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"daylights: {folder} is not empty; 'daylights new' only writes into a new "
                                     "or empty folder, so that it never overwrites your work")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_new_accepts_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_cli("new", str(tmp_path / "empty")).returncode == 0
    assert (tmp_path / "empty" / "story.yaml").is_file()
