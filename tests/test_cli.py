"""The command line, driven through real subprocesses as a user or CI would run it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import main
from game.locations import CACHE_ENV
from game.plain import AT_THE_END, PlainGame
from game.plainwatch import WatchedPlainGame
from game.story import load_story
from tests.conftest import ROOT, TINY_ACT, TINY_STORY, run_cli, write_story


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


def test_the_program_exits_at_once_with_its_output_complete_and_its_cache_stored(tmp_path: Path) -> None:
    """The program skips the interpreter's clean-up once its work is done (``cli.run``): nothing it
    wrote may be lost, to a file or to the story cache, and the exit code is the command's."""
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("goto: cellar", "goto: nowhere")})
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    broken = run_cli("check", str(folder), env=env)
    assert broken.returncode == 1 and broken.stdout.endswith("1 error, 0 warnings\n")
    graph = run_cli("graph", env={**os.environ, CACHE_ENV: "off"})
    expected = io.StringIO()
    with contextlib.redirect_stdout(expected):
        assert main(["graph"]) == 0
    assert graph.returncode == 0 and graph.stdout == expected.getvalue() and len(graph.stdout) > 8192
    write_story(folder)
    assert run_cli("check", str(folder), env=env).returncode == 0
    assert len(list((tmp_path / "cache" / "stories").glob("*.json"))) == 1


def test_a_reader_that_stops_early_ends_the_program_quietly() -> None:
    """``daylights graph | head -1``: the pipe closes before the last of the output is written."""
    with subprocess.Popen([sys.executable, "-m", "game", "graph"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=ROOT) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"flowchart")
        process.stdout.close()
        assert process.stderr.read() == b""
        assert process.wait(timeout=60) == 0


@pytest.mark.parametrize("closed", ["reader gone", "stdout", "stderr", "both"])
def test_output_nobody_reads_never_changes_the_exit_code_or_prints_a_traceback(closed: str) -> None:
    """``daylights graph | true``, ``daylights check >&-``, ``2>&-``: the program still says how
    the command went, and writes nothing about itself to a stream that is left."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # a reader that has already gone: every write fails with a broken pipe
    fds = {"reader gone": (), "stdout": (1,), "stderr": (2,), "both": (1, 2)}[closed]
    try:
        done = subprocess.run([sys.executable, "-m", "game", "graph"], cwd=ROOT, timeout=60,
                              stdout=write_end if closed == "reader gone" else subprocess.DEVNULL,
                              stderr=subprocess.PIPE if 2 not in fds else subprocess.DEVNULL,
                              preexec_fn=lambda: [os.close(fd) for fd in fds] and None)
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert not done.stderr


def test_usage_errors_exit_2() -> None:
    assert run_cli("check", "--no-such-flag").returncode == 2
    assert run_cli("frobnicate").returncode == 2


@pytest.mark.parametrize(("args", "says"), [
    (["test", "--random", "99999999999999999999"], "argument --random: expected a whole number from 1 to 1,000,000"),
    (["test", "--random", "0"], "argument --random: expected a whole number from 1 to 1,000,000, not '0'"),
    (["check", "--limit", "-1"], "argument --limit: expected a whole number from 1 to 1,000,000,000, not '-1'"),
    (["play", "--plain", "--load", ""], "argument --load: a save needs a name"),
])
def test_out_of_range_option_values_are_usage_errors_not_hangs(args: list[str], says: str) -> None:
    """A count no run could finish (10^20 playthroughs ran until killed), a negative limit and an
    empty save name (which started a new game instead) are each one line and exit code 2."""
    result = run_cli(*args, input="")
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr, result.stderr


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


def test_plain_play_answers_any_number_typed_with_one_line(tmp_path: Path) -> None:
    """A number too long for ``int`` (4,300 digits and more) or a character ``str.isdigit`` calls a
    digit but ``int`` cannot read ('²') is a wrong choice, never a traceback."""
    typed = "9" * 5000 + "\n²\n٣\n0\n\x1b[2Jwipe\n1\nquit\n"
    result = run_cli("play", "--plain", "--scenes", str(write_story(tmp_path / "s")), input=typed)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "> There is no choice 999999…; pick 1 to 2." in result.stdout
    assert "> Unknown command '²'. Type a choice number, or 'help'." in result.stdout
    assert "> Unknown command '٣'." in result.stdout and "> There is no choice 0; pick 1 to 2." in result.stdout
    assert "> Unknown command '\\x1b[2Jwipe'." in result.stdout and "\x1b" not in result.stdout  # shown, not obeyed
    assert "  2. Open the cellar" in result.stdout  # and the game goes on: 1 took the key


def test_plain_play_keeps_a_journal_of_each_scene_and_choice(tmp_path: Path) -> None:
    """The TUI's journal in plain mode: the scenes so far with what was chosen, and any of them again."""
    typed = "1\n3\njournal\nj 2\njournal 1\njournal 9\nquit\n"
    result = run_cli("play", "--plain", "--scenes", str(write_story(tmp_path / "s")), input=typed)
    assert result.returncode == 0, result.stderr
    assert ("> Journal:\n  1. Hall → Take the key\n  2. Hall → Flatter the butler\n  3. Hall  (you are here)\n"
            "Type 'journal N' to read scene N again.") in result.stdout
    assert "> == Act One — Hall ==\n\nYou stand in a hall.\n\nYou chose: Flatter the butler\n" in result.stdout
    assert "You chose: Take the key" in result.stdout
    assert "> The journal has scenes 1 to 3; type 'journal N' with one of those." in result.stdout


class Keyboard(io.StringIO):
    """Typed input, as a terminal gives it."""

    def isatty(self) -> bool:
        return True


def test_plain_play_at_a_keyboard_offers_undo_and_restart_at_an_ending(tmp_path: Path) -> None:
    """A player at an ending may take the last choice back or start again; a script's game ends
    there as it always did (the pipe tests above)."""
    out = io.StringIO()
    typed = Keyboard("1\n3\n3\n4\n1\nundo\n4\nrestart\nundo\nquit\n")
    game = PlainGame(load_story(write_story(tmp_path / "s")), typed, out)
    assert game.run() == 0
    text = out.getvalue()
    assert text.count("*** THE END: The secret") == 3 and text.count(AT_THE_END) == 4, text
    assert "(undone)" in text and "(started again from the beginning: 'undo' takes you back)" in text
    assert game.session.ending is not None  # undo after restart went back to the ending
    assert text.rstrip().endswith("You leave the story here.")


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
    assert "my slot              Act One — Hall, 1 move," in first.stdout
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
    assert "cellar" in (tmp_path / "saves" / "tiny" / "endings.json").read_text()


def test_check_counts_in_the_singular_and_plural(tmp_path: Path) -> None:
    story = TINY_STORY.replace("  trust: 0\n", "  trust: 0\n  idle: 1\n")
    result = run_cli("check", str(write_story(tmp_path / "s", story=story)))
    assert result.stdout.splitlines()[-1] == "Tiny: 3 scenes, 2 endings; 0 errors, 1 warning"
    act = TINY_ACT.replace("goto: win", "goto: x")
    broken = run_cli("check", str(write_story(tmp_path / "b", story=story, acts={"one.yaml": act})))
    assert broken.stdout.splitlines()[-1] == "1 error, 0 warnings"


@pytest.mark.parametrize("command", [["check"], ["stats"], ["graph"], ["route", "--to", "win"], ["speedrun"],
                                     ["test", "--random", "3"], ["walk"]])
def test_every_command_takes_the_story_folder_as_dir_or_scenes(tmp_path: Path, command: list[str]) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "walkthroughs").mkdir()
    (folder / "walkthroughs" / "canonical.yaml").write_text("choices: [take_key, flatter, flatter, secret]\n")
    by_dir = run_cli(*command, str(folder), cwd=tmp_path)
    by_option = run_cli(*command, "--scenes", str(folder), cwd=tmp_path)
    assert by_dir.returncode == 0, by_dir.stdout + by_dir.stderr
    untimed = [re.sub(r"\d+\.\d+", "T", r.stdout) for r in (by_dir, by_option)]  # speedrun times differ
    assert untimed[0] == untimed[1] and by_option.returncode == 0


def test_scenes_may_come_before_the_command(tmp_path: Path) -> None:
    folder = str(write_story(tmp_path / "s"))
    assert run_cli("--scenes", folder, "stats").stdout == run_cli("stats", folder).stdout
    assert run_cli("--scenes", folder, "stats").stdout.startswith("Tiny\n")


def test_a_story_folder_alone_plays_it(tmp_path: Path) -> None:
    result = run_cli(str(write_story(tmp_path / "s")), "--plain", input="quit\n")
    assert result.returncode == 0 and "== Act One — Hall ==" in result.stdout


def test_two_different_story_folders_are_a_usage_error(tmp_path: Path) -> None:
    one, two = write_story(tmp_path / "one"), write_story(tmp_path / "two")
    result = run_cli("stats", str(one), "--scenes", str(two))
    assert result.returncode == 2
    assert result.stderr.strip() == f"daylights: two story folders given ({one} and {two}); name one"


def test_help_presents_the_story_it_is_about(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", story=TINY_STORY_PRESENTED)
    result = run_cli("--scenes", str(folder), "--help")
    assert result.returncode == 0
    assert "Tiny: A hall and a cellar, by Ada. A butler keeps a secret." in " ".join(result.stdout.split())


def test_each_command_builds_its_own_options_when_it_is_reached(capsys: pytest.CaptureFixture[str]) -> None:
    """The commands' parsers are built only when used (see ``cli._Deferred``): each still has its options."""
    from game.cli import COMMANDS, main

    own = {"play": "--watch", "new": "the folder to create", "check": "--deep", "route": "--to", "test": "--seed",
           "graph": "--format", "stats": "--json", "speedrun": "--json", "schema": "--output", "walk": "--transcript",
           "serve": "--port"}
    assert set(own) == set(COMMANDS)
    for command, option in own.items():
        with pytest.raises(SystemExit) as stopped:
            main([command, "--help"])
        assert stopped.value.code == 0
        shown = capsys.readouterr().out
        assert shown.startswith(f"usage: daylights {command} ") and option in shown
    with pytest.raises(SystemExit):
        main(["route"])
    assert "the following arguments are required: --to" in capsys.readouterr().err


TINY_STORY_PRESENTED = TINY_STORY.replace(
    "title: Tiny\n", "title: Tiny\nsubtitle: A hall and a cellar\nauthor: Ada\nblurb: A butler keeps a secret.\n")


def test_walk_finds_the_story_of_a_walkthrough_in_its_walkthroughs_folder(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "walkthroughs").mkdir()
    path = folder / "walkthroughs" / "to_the_cellar.yaml"
    path.write_text("ending: cellar\nchoices: [take_key, cellar]\n")
    result = run_cli("walk", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Ending: Eaten by a grue (death) in 2 moves" in result.stdout


def test_walk_of_a_story_folder_walks_its_canonical_walkthrough(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "walkthroughs").mkdir()
    (folder / "walkthroughs" / "canonical.yaml").write_text("choices: [take_key, cellar]\n")
    result = run_cli("walk", str(folder))
    assert result.returncode == 0 and "in 2 moves" in result.stdout


SOFTLOCKING_ACT = TINY_ACT.replace("""      - id: flatter
        text: Flatter the butler
        goto: hall
        do: {add: {trust: 1}}
""", """      - id: flatter
        text: Flatter the butler
        goto: pantry
        do: {add: {trust: 1}}
""") + """  pantry:
    title: Pantry
    text: A locked pantry.
    choices:
      - {id: leave, text: Leave, goto: hall, if: has key}
"""


def test_random_test_groups_the_same_failure_into_one_file_and_one_line(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "my story", acts={"one.yaml": SOFTLOCKING_ACT})
    result = run_cli("test", str(folder), "--random", "40", "--seed", "2", cwd=tmp_path)
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1
    assert failed[0].startswith("FAILED softlock: no open choice in scene 'pantry' (")
    assert len(list((tmp_path / "daylights-failures").glob("*.yaml"))) == 1


def test_random_test_replay_hint_is_a_command_that_works_when_pasted(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "my story", acts={"one.yaml": SOFTLOCKING_ACT})
    result = run_cli("test", "--scenes", str(folder), "--random", "10", "--out", str(tmp_path / "out dir"),
                     cwd=tmp_path)
    hint = result.stdout.split("replay with: ")[1].splitlines()[0]
    words = shlex.split(hint)
    assert words[:2] == ["daylights", "walk"] and "--scenes" in words
    replay = run_cli(*words[1:], cwd=tmp_path)
    assert replay.returncode == 1
    assert "the walkthrough ends in scene 'pantry', which is not an ending" in replay.stderr


def test_random_test_json_counts_each_failure(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": SOFTLOCKING_ACT})
    result = run_cli("test", str(folder), "--random", "40", "--json", "--out", str(tmp_path / "f"))
    [failure] = json.loads(result.stdout)["failures"]
    assert failure["kind"] == "softlock" and failure["scene"] == "pantry" and failure["count"] > 1
    assert failure["replay"].startswith("daylights walk ")


class EditingInput(io.StringIO):
    """Standard input for plain mode that edits the story before the player's second command."""

    def __init__(self, text: str, edit: object) -> None:
        super().__init__(text)
        self.edit = edit
        self.lines = 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.lines += 1
        if self.lines == 2:
            self.edit()  # type: ignore[operator]
        return super().readline()


def test_plain_watch_reloads_the_story_between_commands_keeping_the_place(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    act = folder / "one.yaml"

    def edit() -> None:
        act.write_text(TINY_ACT.replace("You stand in a hall.", "You stand in a long, cold hall."))

    out = io.StringIO()
    game = WatchedPlainGame(folder, load_story(folder), EditingInput("1\nlook\n", edit), out)
    game.run()
    shown = out.getvalue()
    assert "(Story reloaded.)" in shown
    assert shown.count("You stand in a long, cold hall.") == 2  # once on reload, once for 'look'
    assert list(game.session.state.path) == ["take_key"]


def test_plain_watch_does_not_take_a_number_typed_before_a_reload(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    act = folder / "one.yaml"

    def edit() -> None:
        act.write_text(TINY_ACT.replace("You stand in a hall.", "A hall, repainted."))

    out = io.StringIO()
    game = WatchedPlainGame(folder, load_story(folder), EditingInput("1\n2\n", edit), out)
    game.run()
    assert "(The scene may have changed; choose again.)" in out.getvalue()
    assert list(game.session.state.path) == ["take_key"]


def test_plain_watch_keeps_the_previous_story_when_the_edit_does_not_load(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    act = folder / "one.yaml"

    def edit() -> None:
        act.write_text(TINY_ACT.replace("goto: win", "goto: nowhere"))

    out = io.StringIO()
    game = WatchedPlainGame(folder, load_story(folder), EditingInput("1\nlook\n", edit), out)
    game.run()
    shown = out.getvalue()
    assert "(The edited story does not load; still playing the previous version.)" in shown
    assert "goes to scene 'nowhere'" in shown


def test_plain_watch_is_accepted_on_the_command_line(tmp_path: Path) -> None:
    result = run_cli("play", str(write_story(tmp_path / "s")), "--plain", "--watch", input="1\nquit\n")
    assert result.returncode == 0 and "You leave the story here." in result.stdout
