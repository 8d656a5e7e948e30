"""Each class of bad scene file is reported as path:line:col with a useful message."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.story import StoryError, check_story, load_story
from tests.conftest import TINY_ACT, TINY_STORY, write_story


def errors_of(folder: Path) -> list[str]:
    story, problems = check_story(folder)
    assert story is None
    return [str(p) for p in problems if p.is_error]


def only_error(folder: Path) -> str:
    errors = errors_of(folder)
    assert len(errors) == 1, errors
    return errors[0]


def act_with(tmp_path: Path, act: str) -> Path:
    return write_story(tmp_path / "s", acts={"one.yaml": act})


def test_tiny_story_loads_cleanly(tmp_path: Path) -> None:
    story, problems = check_story(write_story(tmp_path / "s"))
    assert story is not None and problems == []


def test_invalid_yaml_points_at_the_syntax_error(tmp_path: Path) -> None:
    folder = act_with(tmp_path, "act: one\nscenes:\n  hall: [unclosed\n")
    assert only_error(folder) == (f"{folder / 'one.yaml'}:3:9: error: invalid YAML: the '[' here is never closed "
                                  "with ']'; close it, or if it is part of a text, put the whole text in quotes")


@pytest.mark.parametrize("broken", ["duplicate key", "bad YAML", "not a mapping"])
def test_a_story_yaml_that_declares_nothing_is_the_one_error_not_every_name_in_the_scenes(
        tmp_path: Path, broken: str) -> None:
    """Without story.yaml's declarations every item, variable, act and beat a scene names would be
    'unknown': those false alarms would bury the one error that matters. A scene file's own YAML
    errors are still reported."""
    story = {"duplicate key": TINY_STORY.replace("  trust: 0\n", "  trust: 0\n  brave: true\n"),
             "bad YAML": TINY_STORY.replace("acts:\n", "acts: [\n"),
             "not a mapping": "- tiny\n"}[broken]
    folder = write_story(tmp_path / "s", story, {"one.yaml": TINY_ACT, "two.yaml": "act: one\nscenes: {\n"})
    errors = errors_of(folder)
    assert [e.split(":")[0] for e in errors] == [str(folder / "story.yaml"), str(folder / "two.yaml")], errors


def test_a_misspelt_scenes_key_is_one_error_not_a_missing_start_scene_too(tmp_path: Path) -> None:
    """'sceens:' is read as the 'scenes:' it was meant to be, so the scenes in it still exist."""
    folder = act_with(tmp_path, TINY_ACT.replace("scenes:", "sceens:"))
    assert only_error(folder).endswith(
        "one.yaml:2:1: error: unknown key 'sceens' in an act file (did you mean 'scenes'?); "
        "expected one of: act, scenes")


def test_root_that_is_not_a_mapping(tmp_path: Path) -> None:
    folder = act_with(tmp_path, "- just\n- a list\n")
    assert only_error(folder).endswith("one.yaml:1:1: error: an act file must be a mapping of keys to "
                                       "values, not a list")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("    text: It is dark.", "    txet: It is dark."))
    errors = errors_of(folder)
    assert any(":26:5: error: unknown key 'txet' in scene 'cellar' (did you mean 'text'?)" in e
               for e in errors), errors


def test_duplicate_key_is_rejected_not_silently_overwritten(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("    title: Cellar\n", "    title: Cellar\n    title: Vault\n"))
    assert only_error(folder).endswith("one.yaml:26:5: error: duplicate key 'title' (first defined at line 25)")


def test_duplicate_key_where_the_loader_never_looks_leaves_the_file_out(tmp_path: Path) -> None:
    """Keys are checked as scenes are built; a file whose keys fail (even under an unknown key,
    which the loader does not read) is reported and left out as if its parser had refused it."""
    act = TINY_ACT.replace("    text: It is dark.\n", "    text: It is dark.\n    notes: {seen: 1, seen: 2}\n")
    assert only_error(act_with(tmp_path, act)).endswith("one.yaml:27:22: error: duplicate key 'seen' "
                                                        "(first defined at line 27)")


def test_a_file_left_out_for_its_keys_defines_no_scene(tmp_path: Path) -> None:
    """A scene of a file left out is not 'already defined' when another file defines it too."""
    second = "act: one\nscenes:\n  cellar:\n    title: Other\n    text: x\n    ending: {kind: death, title: X}\n"
    bad = TINY_ACT.replace("do: {add: {trust: 1}}", "do: {set: {[trust]: 1}}")
    folder = write_story(tmp_path / "s", acts={"one.yaml": bad, "two.yaml": second})
    assert only_error(folder).endswith("one.yaml:19:20: error: mapping keys must be plain names")


def test_same_scene_in_two_files_names_the_first(tmp_path: Path) -> None:
    second = "act: one\nscenes:\n  cellar:\n    title: Other\n    text: x\n    ending: {kind: death, title: X}\n"
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT, "two.yaml": second})
    error = only_error(folder)
    assert error.startswith(f"{folder / 'two.yaml'}:3:3: error: scene 'cellar' is already defined at ")
    assert error.endswith("one.yaml:24:3")


def test_missing_target_scene_suggests_a_near_name(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("goto: cellar", "goto: celar"))
    assert only_error(folder).endswith(
        "one.yaml:13:15: error: choice 'cellar' goes to scene 'celar', which does not exist (did you mean 'cellar'?)")


def test_undeclared_item_in_an_effect(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("give: key", "give: lamp"))
    assert "one.yaml:10:20: error: unknown item 'lamp'" in only_error(folder)


def test_undeclared_variable_in_a_condition_points_at_its_column(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("trust >= 2 and brave", "trust >= 2 and bravee"))
    assert only_error(folder).endswith(
        "one.yaml:23:28: error: in condition 'trust >= 2 and bravee': unknown variable 'bravee' "
        "(did you mean 'brave'?)")


def test_an_unknown_scene_shown_in_text_points_at_where_it_is_written(tmp_path: Path) -> None:
    """``${visits SCENE}`` is checked once every file is read (the scene may come later), and
    reported at its own line and column, not at the start of the text around it."""
    act = TINY_ACT.replace("    text: You stand in a hall.\n",
                           "    text: |\n      You stand in a hall.\n      Visits: ${visits cellr}.\n")
    folder = act_with(tmp_path, act)
    assert only_error(folder).endswith(
        "one.yaml:7:15: error: in '${visits cellr}': unknown scene 'cellr' (did you mean 'cellar'?)")


def test_condition_that_does_not_parse(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("if: has key", "if: has key &&"))
    assert only_error(folder).endswith(
        "one.yaml:14:21: error: in condition 'has key &&': unexpected character '&' (use 'and', 'or', 'not')")


def test_comparing_an_integer_with_text_is_a_type_error(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("trust >= 2 and brave", "trust >= 'high'"))
    assert only_error(folder).endswith(
        "error: in condition 'trust >= 'high'': cannot compare integer variable 'trust' with the text 'high'")


def test_giving_a_flag_is_a_type_error(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("give: key", "give: brave"))
    assert only_error(folder).endswith(
        "one.yaml:10:20: error: cannot give 'brave': it is a flag, not an item; use 'set' or 'add'")


def test_missing_start_scene(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", story=TINY_STORY.replace("start: hall\n", ""))
    assert only_error(folder).endswith("story.yaml:1:1: error: story.yaml is missing 'start'")


def test_unknown_start_scene(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", story=TINY_STORY.replace("start: hall", "start: hal"))
    assert only_error(folder).endswith(
        "story.yaml:4:8: error: start scene 'hal' does not exist (did you mean 'hall'?)")


def test_non_ending_scene_without_choices(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("    ending: {kind: death, title: Eaten by a grue}\n", ""))
    assert only_error(folder).endswith(
        "one.yaml:24:3: error: scene 'cellar' has no choices and is not an ending; add 'choices' or "
        "mark it with 'ending'")


def test_python_object_tags_are_refused(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("text: It is dark.", "text: !!python/object/apply:os.system [ls]"))
    assert only_error(folder).endswith(
        "one.yaml:26:11: error: YAML tag '!!python/object/apply:os.system' is not allowed; scene files hold "
        "plain text, numbers, lists and mappings")


def test_aliases_are_refused_so_alias_bombs_cannot_expand(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    folder = act_with(tmp_path, bomb)
    errors = errors_of(folder)
    assert errors and all("anchors and aliases are not supported" in e for e in errors)


def test_every_problem_in_a_story_is_reported_in_one_run(tmp_path: Path) -> None:
    broken = (TINY_ACT.replace("goto: cellar", "goto: nowhere").replace("give: key", "give: lamp")
              .replace("trust >= 2", "trust >= 'x'"))
    folder = write_story(tmp_path / "s", story=TINY_STORY.replace("start: hall", "start: lobby"), acts={
        "one.yaml": broken})
    errors = errors_of(folder)
    assert len(errors) == 4, errors
    assert [e.split(": error: ")[1].split(" ")[0] for e in errors] == ["unknown", "choice", "in", "start"]


def test_load_story_raises_with_all_problems(tmp_path: Path) -> None:
    folder = act_with(tmp_path, TINY_ACT.replace("goto: cellar", "goto: nowhere"))
    with pytest.raises(StoryError) as raised:
        load_story(folder)
    assert len(raised.value.problems) == 1


def test_folder_without_story_file(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert only_error(tmp_path / "empty").endswith(
        "story.yaml:1:1: error: no story.yaml in this folder; a story starts with one (see docs/AUTHORING.md)")


def test_two_choices_with_the_same_outcome_warn(tmp_path: Path) -> None:
    act = TINY_ACT.replace("      - id: flatter\n", "      - id: flatter_again\n        text: Again\n"
                           "        goto: hall\n        do: {add: {trust: 1}}\n      - id: flatter\n")
    story, problems = check_story(act_with(tmp_path, act))
    assert story is not None
    assert [p.message.split(" leads")[0] for p in problems] == ["choice 'flatter' in scene 'hall'"]
