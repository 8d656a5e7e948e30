"""The command line, driven through real subprocesses as a user or CI would run it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import TINY_ACT, run_cli, write_story


def test_check_exits_0_on_the_bundled_story() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout


def test_check_exits_1_and_prints_located_errors(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("goto: cellar", "goto: nowhere")})
    result = run_cli("check", str(folder))
    assert result.returncode == 1
    assert f"{folder / 'one.yaml'}:13:15: error: choice 'cellar' goes to scene 'nowhere'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_warnings_fail_only_when_strict(tmp_path: Path) -> None:
    act = TINY_ACT.replace("        if: has key\n        locked: true\n", "        locked: true\n")
    folder = write_story(tmp_path / "s", acts={"one.yaml": act})
    assert run_cli("check", str(folder)).returncode == 0
    strict = run_cli("check", "--strict", str(folder))
    assert strict.returncode == 1
    assert "warning: 'locked' does nothing on choice 'cellar': it has no 'if'" in strict.stdout


def test_usage_errors_exit_2() -> None:
    assert run_cli("check", "--no-such-flag").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_missing_story_folder_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("play", "--plain", "--scenes", str(tmp_path / "nope"), input="")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'nope'}:1:1: error: story folder does not exist"


def test_plain_play_through_a_pipe_reaches_an_ending(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    result = run_cli("play", "--plain", "--scenes", str(folder), input="1\ni\n3\n3\n4\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== Act One — Hall ==" in out
    assert "-  Open the cellar [locked: You need the brass key.]" in out
    assert "You carry:\n  Brass key — It opens the cellar." in out
    assert "*** THE END: The secret (canonical ending, 4 moves) ***" in out


def test_plain_play_leaves_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = run_cli("play", "--plain", "--scenes", str(write_story(tmp_path / "s")), input="help\n")
    assert result.returncode == 0
    assert "inventory, i" in result.stdout
    assert result.stdout.rstrip().endswith("(end of input: leaving the game)")


def test_default_command_on_a_pipe_is_plain_play(tmp_path: Path) -> None:
    result = run_cli("--scenes", str(write_story(tmp_path / "s")), input="quit\n")
    assert result.returncode == 0
    assert "== Act One — Hall ==" in result.stdout


def test_walk_json_on_the_canonical_walkthrough() -> None:
    result = run_cli("walk", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "canonical"
    assert data["moves"] == len(data["choices"]) == len(data["scenes"]) - 1
    assert data["scenes"][0] == "gib_drop" and data["scenes"][-1] == data["ending"]
    assert data["beats"][:2] == ["gibraltar_exercise", "death_of_004"]


def test_walk_fails_on_a_move_that_is_not_open(tmp_path: Path) -> None:
    story = write_story(tmp_path / "s")
    walkthrough = tmp_path / "w.yaml"
    walkthrough.write_text("ending: win\nchoices: [flatter, secret]\n")
    result = run_cli("walk", str(walkthrough), "--scenes", str(story))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"{walkthrough}:2:20: error: move 2: choice 'secret' in scene 'hall' "
                                     "is locked: needs trust >= 2 and brave")


def test_walk_fails_when_the_ending_differs(tmp_path: Path) -> None:
    story = write_story(tmp_path / "s")
    walkthrough = tmp_path / "w.yaml"
    walkthrough.write_text("ending: win\nchoices: [take_key, cellar]\n")
    result = run_cli("walk", str(walkthrough), "--scenes", str(story), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["ending"] == "cellar"
    assert "expected ending 'win' but reached 'cellar'" in result.stderr


def saves_env(folder: Path) -> dict[str, str]:
    import os

    return {**os.environ, "DAYLIGHTS_SAVES": str(folder)}


def test_plain_save_list_and_load_by_name(tmp_path: Path) -> None:
    story = str(write_story(tmp_path / "s"))
    env = saves_env(tmp_path / "saves")
    first = run_cli("play", "--plain", "--scenes", story, input="1\nsave my slot\nsaves\nquit\n", env=env)
    assert "Saved 'my slot'." in first.stdout
    assert "my slot              Act One — Hall, 1 moves" in first.stdout
    second = run_cli("play", "--plain", "--scenes", story, input="load my slot\ni\nsave ../escape\nquit\n", env=env)
    assert "Loaded 'my slot'." in second.stdout and "Brass key" in second.stdout
    assert "Cannot save: a save name cannot contain '/'" in second.stdout
    assert not (tmp_path / "escape.json").exists()


def test_continue_and_load_flags_start_from_saves(tmp_path: Path) -> None:
    story = str(write_story(tmp_path / "s"))
    env = saves_env(tmp_path / "saves")
    none_yet = run_cli("play", "--plain", "--continue", "--scenes", story, input="", env=env)
    assert none_yet.returncode == 1 and "there is no autosave to continue" in none_yet.stderr
    run_cli("play", "--plain", "--scenes", story, input="1\n3\nquit\n", env=env)
    resumed = run_cli("play", "--plain", "--continue", "--scenes", story, input="i\nquit\n", env=env)
    assert resumed.returncode == 0 and "Brass key" in resumed.stdout
    missing = run_cli("play", "--plain", "--load", "nope", "--scenes", story, input="", env=env)
    assert missing.returncode == 1 and missing.stderr.strip() == "daylights: there is no save called 'nope'"


def test_reaching_an_ending_is_recorded(tmp_path: Path) -> None:
    story = str(write_story(tmp_path / "s"))
    env = saves_env(tmp_path / "saves")
    result = run_cli("play", "--plain", "--scenes", story, input="1\n2\n", env=env)
    assert "(A new ending: 1 of 2 found.)" in result.stdout
    assert "cellar" in (tmp_path / "saves" / "endings.json").read_text()
