"""A story folder from a stranger is as safe to open as a text file; so is the story cache.

Each class of attack found by the red-team pass of issue 19 (terminal escapes, parser crashes,
huge numbers, hostile file system entries, a planted cache entry) has its cases here, plus
property tests where the class is open-ended. Every outcome is a story or located one-line
errors: never a traceback, a hang, a crash of the interpreter or code run.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.locations import CACHE_ENV
from game.story import Story, check_story, files
from game.story import conditions as conds
from game.story import loader as story_loader
from game.story.model import MAX_VALUE
from game.story.yamlfile import MAX_DEPTH
from game.story_cache import load_story
from tests.conftest import ROOT, TINY_ACT, TINY_STORY, write_story

LOCATED = re.compile(r"^.+:\d+:\d+: (error|warning): [^\n]+$")
UNSAFE = files.UNSAFE_CHARACTERS
PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def outcome(folder: Path) -> tuple[Story | None, list[str]]:
    """The loader's whole contract: a story, or located one-line errors; quickly, in any case."""
    started = time.monotonic()
    story, problems = check_story(folder)
    assert time.monotonic() - started < 20, "loading must never hang"
    shown = [str(p) for p in problems]
    for line in shown:
        assert LOCATED.match(line), line
    assert story is not None or any(p.is_error for p in problems)
    return story, [line for line, p in zip(shown, problems, strict=True) if p.is_error]


def errors_of(folder: Path) -> list[str]:
    story, errors = outcome(folder)
    assert story is None
    return errors


def relative(folder: Path, errors: list[str]) -> list[str]:
    return [e.removeprefix(f"{folder}/") for e in errors]


def every_string(story: Story) -> list[str]:
    """Every string the story holds, found by walking its structures."""
    found: list[str] = []
    stack: list[object] = [story]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            stack.extend(value)
        elif hasattr(value, "items") and callable(value.items):
            stack.extend(v for pair in value.items() for v in pair)
        elif hasattr(value, "__struct_fields__"):
            stack.extend(getattr(value, name) for name in value.__struct_fields__)
    return found


# -- terminal escapes and text that reads differently ------------------------------------------

@pytest.mark.parametrize(("written", "code"), [
    (r'"Ha\e]2;pwned\all"', "U+001B"),            # OSC: set the window title
    (r'"Ha\e]52;c;cm0gLXJm\all"', "U+001B"),      # OSC 52: write the clipboard
    (r'"Ha\x9b31mll"', "U+009B"),                 # C1 CSI
    (r'"Ha\rll"', "U+000D"),                      # carriage return: overwrite the line
    (r'"Ha\u202ell"', "U+202E"),                  # right-to-left override
    (r'"Ha\u2066ll"', "U+2066"),                  # left-to-right isolate
    (r'"Ha\Lll"', "U+2028"),                      # line separator
    (r'"Ha\Nll"', "U+0085"),                      # next line (C1)
    ('Ha\u202ell', "U+202E"),                     # written raw, not escaped
])
def test_control_and_bidi_characters_in_text_are_refused_at_the_character(tmp_path: Path, written: str,
                                                                          code: str) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("title: Hall", f"title: {written}")})
    [error] = errors_of(folder)
    assert error.startswith(f"{folder / 'one.yaml'}:4:{len('    title: ') + 1 + (written[0] == chr(34)) + 2}: ")
    assert f"text holds {code}" in error


@pytest.mark.parametrize("place", ["item name", "item description", "act title", "choice text", "prose",
                                   "mapping key", "ending title", "beat title"])
def test_an_escape_is_refused_in_every_kind_of_text(tmp_path: Path, place: str) -> None:
    story, act = TINY_STORY + "beats:\n  b1: Beat one\n", TINY_ACT
    bad = r'"x\e[2Jy"'
    if place == "item name":
        story = story.replace("name: Brass key", f"name: {bad}")
    elif place == "item description":
        story = story.replace("description: It opens the cellar.", f"description: {bad}")
    elif place == "act title":
        story = story.replace("one: Act One", f"one: {bad}")
    elif place == "beat title":
        story = story.replace("b1: Beat one", f"b1: {bad}")
    elif place == "choice text":
        act = act.replace("text: Take the key", f"text: {bad}")
    elif place == "prose":
        act = act.replace("text: You stand in a hall.", f"text: {bad}")
    elif place == "mapping key":
        act = act.replace("title: Hall", f"{bad}: Hall")
    else:
        act = act.replace("title: Eaten by a grue", f"title: {bad}")
    folder = write_story(tmp_path / "s", story=story, acts={"one.yaml": act})
    assert any("text holds U+001B" in e for e in errors_of(folder))


def test_tabs_newlines_and_ordinary_unicode_are_text(tmp_path: Path) -> None:
    prose = r'"Tab\there, a new\nline, an em dash —, Kara & Koskov, AT&T, naïve, 東京, emoji 🎻"'
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("text: You stand in a hall.",
                                                                            f"text: {prose}")})
    story, errors = outcome(folder)
    assert story is not None, errors
    assert "\t" in story.scenes["hall"].text.fixed and "東京" in story.scenes["hall"].text.fixed


# -- the parser --------------------------------------------------------------------------------

@pytest.mark.parametrize("document", [
    "[" * 60_000,
    "- " * 30_000 + "x",
    "{a: " * 20_000,
    "[a: " * 20_000,
    "".join("  " * i + "a:\n" for i in range(1_000)),
    "x: " + "[ !<]> " * 20_000,
    "x: [" + "[a]" * 5_000 + "[" * 20_000,
])
def test_deep_nesting_is_refused_before_the_parser_can_crash(tmp_path: Path, document: str) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "one.yaml").write_text(document)
    errors = errors_of(folder)
    assert any(f"nested more than {MAX_DEPTH} deep" in e for e in errors) or \
        any("invalid YAML" in e for e in errors), errors


def test_deep_nesting_gives_exit_status_one_in_check_not_a_crash(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "one.yaml").write_text("[" * 60_000)
    result = subprocess.run([sys.executable, "-m", "game", "check", str(folder)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"one.yaml:1:{MAX_DEPTH + 1}: error: lists and mappings are nested more than" in result.stdout


def test_nesting_within_the_limit_is_read_as_usual(tmp_path: Path) -> None:
    depth = MAX_DEPTH - 3
    folder = write_story(tmp_path / "s")
    (folder / "one.yaml").write_text("act: one\nscenes:\n  deep:\n    title: " + "[" * depth + "]" * depth + "\n")
    assert not any("nested" in e for e in errors_of(folder))


@pytest.mark.parametrize("anchored", ["title: &a Hall", "title: &a [Hall]", "? &k title\n    : Hall"])
def test_a_lone_anchor_is_refused(tmp_path: Path, anchored: str) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("title: Hall", anchored)})
    assert any("anchors and aliases are not supported" in e for e in errors_of(folder))


@pytest.mark.parametrize("condition", ["(" * 2_000 + "brave" + ")" * 2_000, "not " * 1_000 + "brave",
                                       "trust > " + "9" * 5_000, "brave and " * 500 + "brave",
                                       "(" * (conds.MAX_NESTING + 1) + "brave" + ")" * (conds.MAX_NESTING + 1)])
def test_hostile_conditions_are_located_errors(tmp_path: Path, condition: str) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("if: has key", f"if: {condition}")})
    [error] = errors_of(folder)
    assert error.startswith(f"{folder / 'one.yaml'}:14:")


def test_the_condition_grammar_raises_only_condition_errors() -> None:
    for source in ("not " * 10_000 + "x", "(" * 10_000, "x == " + "1" * 100_000, "-" * 5_000 + "1"):
        with pytest.raises(conds.ConditionError):
            conds.parse(source)


@pytest.mark.parametrize(("old", "new"), [
    ("add: {trust: 1}", "add: {trust: " + "9" * 5_000 + "}"),
    ("add: {trust: 1}", "add: {trust: 0x" + "f" * 3_000 + "}"),
    ("add: {trust: 1}", "add: {trust: 1" + ":59" * 40 + "}"),
    ("add: {trust: 1}", "add: {trust: -1000000001}"),
    ("add: {trust: 1}", "add: {trust: !!int \"\u00b2\"}"),
    ("goto: hall\n        do: {give: key, set: brave}", "goto: hall\n        do: {set: {trust: 1" + "0" * 4_400 + "}}"),
])
def test_numbers_beyond_a_billion_are_located_errors(tmp_path: Path, old: str, new: str) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace(old, new)})
    errors = errors_of(folder)
    assert any("out of range" in e or "is not a whole number" in e for e in errors), errors


def test_a_huge_default_is_a_located_error(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", story=TINY_STORY.replace("trust: 0", "trust: " + "9" * 5_000))
    assert any(e.startswith(f"{folder / 'story.yaml'}:13:10: error: number 9999") for e in errors_of(folder))


def test_a_billion_is_still_a_number(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("add: {trust: 1}",
                                                                            f"add: {{trust: {MAX_VALUE}}}")})
    assert outcome(folder)[0] is not None


# -- the folder --------------------------------------------------------------------------------

def test_symbolic_link_loops_are_refused(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "a.yaml").symlink_to("b.yaml")
    (folder / "b.yaml").symlink_to("a.yaml")
    (folder / "self.yaml").symlink_to("self.yaml")
    assert relative(folder, errors_of(folder)) == [f"{name}:1:1: error: symbolic link loop; refused"
                                                   for name in ("a.yaml", "b.yaml", "self.yaml")]


def test_file_names_that_are_not_utf8_or_hold_control_characters_are_refused(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / os.fsdecode(b"bad\xff.yaml")).write_text("act: one\nscenes: {}\n")
    (folder / "a\nb\x1b[31m.yaml").write_text("act: one\nscenes: {}\n")
    assert relative(folder, errors_of(folder)) == [
        r"a\nb\x1b[31m.yaml:1:1: error: file name contains a control character; rename the file",
        r"bad\udcff.yaml:1:1: error: file name is not valid UTF-8; rename the file"]


@pytest.mark.parametrize("name", ["pipe.yaml", "story.yaml"])
def test_a_pipe_in_the_folder_is_never_opened(tmp_path: Path, name: str) -> None:
    folder = write_story(tmp_path / "s")
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    assert relative(folder, errors_of(folder)) == [
        f"{name}:1:1: error: not a regular file (a pipe, socket or device); refused"]


def test_a_pipe_swapped_in_after_listing_is_still_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "late.yaml")
    with pytest.raises(files.FileRefused, match="not a regular file"):
        files.read_regular_file(tmp_path / "late.yaml")


def test_devices_and_links_out_of_the_folder_are_refused(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "zero.yaml").symlink_to("/dev/zero")
    (folder / "tty.yaml").symlink_to("/dev/tty")
    assert relative(folder, errors_of(folder)) == [
        f"{name}:1:1: error: symbolic link points outside the story folder; refused" for name in ("tty.yaml",
                                                                                                   "zero.yaml")]


def test_a_folder_named_like_a_scene_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "x.yaml").mkdir()
    (folder / "loop.yaml").symlink_to(".")
    story, problems = check_story(folder)
    assert story is not None
    assert sorted(str(p).removeprefix(f"{folder}/") for p in problems if "folder" in str(p)) == [
        "loop.yaml:1:1: warning: ignored: a folder, not a scene file",
        "x.yaml:1:1: warning: ignored: a folder, not a scene file"]


def test_story_yaml_as_a_folder_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    (folder / "story.yaml").mkdir(parents=True)
    assert f"{folder / 'story.yaml'}:1:1: error: story.yaml is a folder or a link to nothing, not a file" in \
        errors_of(folder)


def test_a_link_to_nothing_such_as_an_editors_lock_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / ".#one.yaml").symlink_to("writer@host.1234:1700000000")
    story, problems = check_story(folder)
    assert story is not None
    assert [str(p) for p in problems if ".#" in str(p)] == [
        f"{folder / '.#one.yaml'}:1:1: warning: ignored: a symbolic link to nothing (an editor's lock file?)"]


def test_a_sparse_three_gigabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    with (folder / "big.yaml").open("wb") as out:
        out.truncate(3 * 1024 ** 3)
    assert relative(folder, errors_of(folder)) == [
        f"big.yaml:1:1: error: file is {3 * 1024 ** 3:,} bytes; scene files may be at most {files.MAX_FILE_BYTES:,}"]


def test_too_many_files_are_refused_after_counting_only_past_the_limit(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILES", 20)
    folder = write_story(tmp_path / "s")
    for number in range(25):
        (folder / f"f{number}.yaml").touch()
    assert errors_of(folder) == [f"{folder}:1:1: error: the folder holds more than 20 scene files; "
                                 "a story may have at most 20"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_a_located_error(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "one.yaml").chmod(0)
    assert relative(folder, errors_of(folder)) == ["one.yaml:1:1: error: cannot read file: Permission denied"]


def test_a_megabyte_line_and_a_very_long_key_are_handled(tmp_path: Path) -> None:
    long_title = TINY_ACT.replace("title: Hall", "title: " + "x" * 1_000_000)
    folder = write_story(tmp_path / "s", acts={"one.yaml": long_title})
    assert outcome(folder)[0] is not None
    (folder / "one.yaml").write_text(TINY_ACT.replace("  hall:", "  h" + "a" * 200_000 + "ll:"))
    errors_of(folder)


# -- the story cache ---------------------------------------------------------------------------

@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


class _Plant:
    """A pickle that would create a file if it were ever unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.write_text, (self.marker, "code ran"))


def test_a_planted_entry_can_never_run_code(tmp_path: Path, cache: Path) -> None:
    folder = write_story(tmp_path / "tiny")
    parsed = load_story(folder)
    [entry] = (cache / "stories").glob("*.json")
    header = entry.read_bytes().split(b"\n", 1)[0] + b"\n"
    marker = tmp_path / "pwned"
    for payload in (pickle.dumps(_Plant(marker)), header + pickle.dumps(_Plant(marker)),
                    header + json.dumps({"__reduce__": "os.system", "id": "x"}).encode()):
        entry.write_bytes(payload)
        assert load_story(folder) == parsed
        assert not marker.exists()


def test_an_entry_written_for_another_folder_is_refused(tmp_path: Path, cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    other = write_story(tmp_path / "other", acts={"one.yaml": TINY_ACT.replace("You stand in a hall.", "Elsewhere.")})
    load_story(other)
    [other_entry] = (cache / "stories").glob("*.json")
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    [entry] = [p for p in (cache / "stories").glob("*.json") if p != other_entry]
    entry.write_bytes(other_entry.read_bytes())

    def refuse(folder: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(story_loader, "check_story", refuse)
    with pytest.raises(AssertionError, match="parsed"):
        load_story(folder)


def test_an_entry_with_the_right_key_but_a_terminal_escape_is_refused(tmp_path: Path, cache: Path) -> None:
    folder = write_story(tmp_path / "tiny")
    parsed = load_story(folder)
    [entry] = (cache / "stories").glob("*.json")
    entry.write_bytes(entry.read_bytes().replace(b"You stand in a hall.", b"You stand\\u001b]2;x\\u0007"))
    assert load_story(folder) == parsed


@PROPERTY
@given(st.binary(max_size=2_000), st.booleans())
def test_any_bytes_in_an_entry_give_the_true_story(tmp_path_factory: pytest.TempPathFactory, blob: bytes,
                                                   keep_header: bool) -> None:
    root = tmp_path_factory.mktemp("planted")
    os.environ[CACHE_ENV] = str(root / "cache")
    folder = write_story(root / "tiny")
    parsed = load_story(folder)
    [entry] = (root / "cache" / "stories").glob("*.json")
    header = entry.read_bytes().split(b"\n", 1)[0] + b"\n"
    entry.write_bytes((header if keep_header else b"") + blob)
    assert load_story(folder) == parsed


# -- properties --------------------------------------------------------------------------------

TEXT_PLACES = {
    "scene title": ("one.yaml", "title: Hall", "title: {}"),
    "prose": ("one.yaml", "text: You stand in a hall.", "text: {}"),
    "choice text": ("one.yaml", "text: Take the key", "text: {}"),
    "scene key": ("one.yaml", "title: Hall", "{}: Hall"),
    "item name": ("story.yaml", "name: Brass key", "name: {}"),
    "act title": ("story.yaml", "one: Act One", "one: {}"),
    "story title": ("story.yaml", "title: Tiny", "title: {}"),
    "condition": ("one.yaml", "if: has key", "if: {}"),
}


@PROPERTY
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30), st.sampled_from(sorted(TEXT_PLACES)),
       st.booleans())
def test_any_string_in_any_text_loads_or_gives_located_errors(tmp_path_factory: pytest.TempPathFactory, value: str,
                                                              place: str, escaped: bool) -> None:
    file_name, old, template = TEXT_PLACES[place]
    written = json.dumps(value, ensure_ascii=escaped)
    story_text, act = TINY_STORY, TINY_ACT
    if file_name == "story.yaml":
        story_text = story_text.replace(old, template.format(written))
    else:
        act = act.replace(old, template.format(written))
    story, _ = outcome(write_story(tmp_path_factory.mktemp("text"), story=story_text, acts={"one.yaml": act}))
    if story is not None:
        assert not any(UNSAFE.search(s) for s in every_string(story))


@PROPERTY
@given(st.integers(0, 3 * MAX_DEPTH), st.sampled_from(["[{}]", "{{a: {}}}", "[a: {}]", "indent"]),
       st.sampled_from(["title", "text", "act"]))
def test_any_nesting_depth_loads_or_gives_located_errors(tmp_path_factory: pytest.TempPathFactory, depth: int,
                                                         shape: str, key: str) -> None:
    value = "x"
    if shape == "indent":
        value = "".join("\n" + "  " * (i + 3) + "a:" for i in range(depth)) + " x"
    else:
        for _ in range(depth):
            value = shape.format(value)
    act = TINY_ACT.replace("title: Hall", f"{key}: {value}")
    outcome(write_story(tmp_path_factory.mktemp("deep"), acts={"one.yaml": act}))


@PROPERTY
@given(st.one_of(st.integers().map(str), st.integers(1, 6_000).map(lambda digits: "-9" + "0" * digits),
                 st.text("0123456789_:xob-+", min_size=1, max_size=60)),
       st.sampled_from(["default", "add", "set", "condition"]))
def test_any_integer_anywhere_loads_or_gives_located_errors(tmp_path_factory: pytest.TempPathFactory,
                                                            shown: str, place: str) -> None:
    story_text, act = TINY_STORY, TINY_ACT
    if place == "default":
        story_text = story_text.replace("trust: 0", f"trust: {shown}")
    elif place == "add":
        act = act.replace("add: {trust: 1}", f"add: {{trust: {shown}}}")
    elif place == "set":
        act = act.replace("do: {give: key, set: brave}", f"do: {{give: key, set: {{trust: {shown}}}}}")
    else:
        act = act.replace("if: has key", f"if: trust > {shown}")
    story, _ = outcome(write_story(tmp_path_factory.mktemp("int"), story=story_text, acts={"one.yaml": act}))
    if story is not None:
        assert abs(story.variables["trust"].default) <= MAX_VALUE
        for scene in story.scenes.values():
            for choice in scene.choices:
                assert all(abs(v) <= MAX_VALUE for _, v in (*choice.effects.add, *choice.effects.set))


def test_thousands_of_unknown_references_in_a_big_story_are_reported_without_a_hang(tmp_path: Path) -> None:
    """Each 'did you mean' compares a name with every known one: over many names none is offered."""
    scenes = "".join(f"  s{i}: {{title: a, text: b, choices: [{{id: c, text: t, goto: nowhere{i}}}]}}\n"
                     for i in range(3_000))
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT, "two.yaml": f"act: one\nscenes:\n{scenes}"})
    errors = errors_of(folder)
    assert len(errors) == 3_000 and "did you mean" not in errors[0]


@pytest.mark.parametrize(("old", "new", "shown"), [
    ("locked: true", 'locked: !!bool "perhaps"', "'perhaps' cannot be read as !!bool"),
    ("do: {give: key, set: brave}", 'do: {give: key, set: {brave: !!bool "x"}}', "'x' cannot be read as !!bool"),
    ("title: Hall", 'title: !!float "nan-ish"', "'nan-ish' cannot be read as !!float"),
    ("add: {trust: 1}", 'add: {trust: !!int "12abc"}', "'12abc' is not a whole number"),
])
def test_a_forced_tag_that_does_not_fit_its_value_is_a_located_error(tmp_path: Path, old: str, new: str,
                                                                      shown: str) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace(old, new)})
    assert any(shown in e for e in errors_of(folder))


VALUE_PLACES = ("brave: false", "trust: 0", "locked: true", "add: {trust: 1}", "title: Hall", "goto: cellar",
                "if: has key", "do: {give: key, set: brave}")


@PROPERTY
@given(st.sampled_from(VALUE_PLACES), st.sampled_from(["", "!!bool ", "!!int ", "!!float ", "!!null ", "!!str ",
                                                       "!!timestamp ", "!!binary ", "!!map ", "!!seq "]),
       st.text(max_size=12))
def test_any_tag_on_any_value_loads_or_gives_located_errors(tmp_path_factory: pytest.TempPathFactory, place: str,
                                                           tag: str, value: str) -> None:
    key = place.split(":")[0]
    new = f"{key}: {tag}{json.dumps(value)}"
    story_text = TINY_STORY.replace(place, new) if place in TINY_STORY else TINY_STORY
    act = TINY_ACT.replace(place, new) if place in TINY_ACT else TINY_ACT
    outcome(write_story(tmp_path_factory.mktemp("tag"), story=story_text, acts={"one.yaml": act}))
