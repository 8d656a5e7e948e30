"""Hostile input: fuzzed and malicious scene files, fuzzed saves, a long soak, odd terminals.

In CI each loader property runs 1,000 examples (3,000 scene files in all) and the others 200. For a longer campaign:
``HYPOTHESIS_PROFILE=campaign pytest tests/test_robustness.py`` (20,000 examples each).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import engine
from game.bundled import bundled_scenes
from game.engine import State
from game.saves import SaveError, SaveStore
from game.session import restore
from game.story import Story, check_story
from game.story.yamlfile import MAX_FILE_BYTES
from tests.conftest import TINY_ACT, run_cli, write_story

settings.register_profile("ci", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("campaign", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
LOADER_EXAMPLES = max(1_000, settings().max_examples)

LOCATED = re.compile(r"^.+:\d+:\d+: (error|warning): .+$")
ACT_TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(bundled_scenes().glob("*.yaml"))}


def assert_loads_or_explains(folder: Path) -> None:
    """The loader's whole contract under fuzzing: a story, or located problems; nothing else."""
    started = time.monotonic()
    story, problems = check_story(folder)
    assert time.monotonic() - started < 20, "loading must never hang"
    for problem in problems:
        assert LOCATED.match(str(problem)), str(problem)
    if story is None:
        assert any(p.is_error for p in problems)


def mutate(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        kind = data.draw(st.sampled_from(["delete", "swap", "truncate", "unicode", "retype", "duplicate"]))
        at = data.draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[at]
        elif kind == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "truncate":
            lines = [*lines[:at], lines[at][: data.draw(st.integers(0, len(lines[at])))]]
        elif kind == "unicode":
            lines.insert(at, data.draw(st.text(max_size=30)) + "\n")
        elif kind == "retype":
            lines[at] = re.sub(r":\s.*", data.draw(st.sampled_from([": [1, 2]", ": {a: b}", ": 7", ": ~", ": yes",
                                                                     ": !!python/name:os.system", ": *x"])),
                               lines[at], count=1)
        else:
            lines.insert(at, lines[at])
    return "".join(lines)


@settings(max_examples=LOADER_EXAMPLES)
@given(st.data())
def test_mutated_bundled_scenes_load_or_explain_with_locations(tmp_path_factory, data: st.DataObject) -> None:
    """The mutated file beside story.yaml (and the first act when story.yaml is the one mutated): the
    other acts only add references the loader then reports, and would make each example five times
    slower."""
    folder = tmp_path_factory.mktemp("fuzz")
    name = data.draw(st.sampled_from(sorted(ACT_TEXTS)))
    kept = {"story.yaml", name, min(n for n in ACT_TEXTS if n != "story.yaml")}
    for file_name in kept:
        text = ACT_TEXTS[file_name]
        (folder / file_name).write_text(mutate(text, data) if file_name == name else text, encoding="utf-8")
    assert_loads_or_explains(folder)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=LOADER_EXAMPLES)
@given(st.data())
def test_random_yaml_documents_load_or_explain(tmp_path_factory, data: st.DataObject) -> None:
    folder = write_story(tmp_path_factory.mktemp("random"))
    document = data.draw(st.one_of(yaml_values.map(json.dumps), st.text(max_size=200)))
    (folder / data.draw(st.sampled_from(["one.yaml", "story.yaml"]))).write_text(document, encoding="utf-8")
    assert_loads_or_explains(folder)


@settings(max_examples=LOADER_EXAMPLES)
@given(st.binary(max_size=300))
def test_random_bytes_as_a_scene_file_load_or_explain(tmp_path_factory, blob: bytes) -> None:
    folder = write_story(tmp_path_factory.mktemp("bytes"))
    (folder / "one.yaml").write_bytes(blob)
    assert_loads_or_explains(folder)


# -- hostile YAML -------------------------------------------------------------------------------

def only_errors(folder: Path) -> list[str]:
    story, problems = check_story(folder)
    assert story is None
    return [str(p) for p in problems if p.is_error]


def test_billion_laughs_is_refused_quickly_and_without_memory(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    folder = write_story(tmp_path / "s", acts={"one.yaml": "\n".join(levels) + "\n"})
    started = time.monotonic()
    errors = only_errors(folder)
    assert time.monotonic() - started < 5
    assert errors and all("anchors and aliases are not supported" in e for e in errors)


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "huge.yaml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    assert [e.split(": error: ")[1] for e in only_errors(folder)] == [
        f"file is {MAX_FILE_BYTES + 3:,} bytes; scene files may be at most {MAX_FILE_BYTES:,}"]


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "one.yaml").write_bytes(TINY_ACT.encode().replace(b"You stand", b"You \xe9tand"))
    assert only_errors(folder) == [f"{folder / 'one.yaml'}:5:15: error: file is not UTF-8 text (byte 0xe9)"]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "one.yaml").write_bytes(b"\xef\xbb\xbf" + TINY_ACT.encode())
    assert check_story(folder)[0] is not None


def test_tab_indentation_is_a_located_yaml_error(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("    title: Hall", "\ttitle: Hall")})
    errors = only_errors(folder)
    assert len(errors) == 1 and errors[0].startswith(f"{folder / 'one.yaml'}:4:") and "invalid YAML" in errors[0]


def test_symlink_out_of_the_story_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("act: one\nscenes: {}\n")
    folder = write_story(tmp_path / "s")
    (folder / "link.yaml").symlink_to(secret)
    assert only_errors(folder) == [f"{folder / 'link.yaml'}:1:1: error: symbolic link points outside the "
                                   "story folder; refused"]


def test_empty_file_and_folder_without_story(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s")
    (folder / "empty.yaml").write_text("")
    assert only_errors(folder) == [f"{folder / 'empty.yaml'}:1:1: error: file is empty"]
    (tmp_path / "bare").mkdir()
    result = run_cli("check", str(tmp_path / "bare"))
    assert result.returncode == 1 and "no story.yaml in this folder" in result.stdout


# -- fuzzed saves -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_save(tmp_path_factory, bundled: Story) -> bytes:
    store = SaveStore(tmp_path_factory.mktemp("real"))
    store.save("real", bundled, engine.replay(bundled, ["follow_004", "pocket_note", "into_the_cab"]))
    return store.path(bundled, "real").read_bytes()


@given(st.one_of(st.binary(max_size=400), st.data()))
def test_fuzzed_saves_are_refused_clearly_and_never_modified(tmp_path_factory, bundled: Story, real_save: bytes,
                                                             blob) -> None:
    if not isinstance(blob, bytes):
        data = blob
        blob = bytearray(real_save)
        for _ in range(data.draw(st.integers(1, 5))):
            at = data.draw(st.integers(0, len(blob) - 1))
            blob[at] = data.draw(st.integers(0, 255))
        blob = bytes(blob)
    store = SaveStore(tmp_path_factory.mktemp("fuzzsave"))
    folder = store.story_folder(bundled)
    (folder / "victim.json").write_bytes(blob)
    before = (folder / "victim.json").stat().st_mtime_ns
    try:
        loaded = restore(bundled, store.read("victim", bundled))
    except SaveError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert loaded.state.scene in bundled.scenes
    assert (folder / "victim.json").read_bytes() == blob
    assert (folder / "victim.json").stat().st_mtime_ns == before
    assert [p.name for p in folder.iterdir()] == ["victim.json"]


# -- soak ---------------------------------------------------------------------------------------

def test_soak_ten_thousand_random_playthroughs_keep_every_invariant(bundled: Story) -> None:
    """At every step: the state survives JSON, undo gives back the exact previous state, every
    listed open choice can be taken, and an ending is final."""
    from game.session import Session

    chance = random.Random(10_000)
    endings = set()
    steps = 0
    for _ in range(10_000):
        session = Session(bundled, clock=lambda: 0.0)
        while True:
            state = session.history[-1]
            assert State.from_json(json.loads(json.dumps(state.to_json()))) == state
            views = engine.choice_views(bundled, state)
            if session.ending is not None:
                assert views == [] and engine.open_choices(bundled, state) == []
                with pytest.raises(engine.ChoiceError):
                    engine.choose(bundled, state, "anything")
                endings.add(state.scene)
                break
            open_choices = engine.open_choices(bundled, state)
            assert open_choices, f"softlock in {state.scene}"
            assert [v.choice for v in views if v.is_open] == open_choices
            for choice in open_choices:
                engine.choose(bundled, state, choice.id)
            choice = chance.choice(open_choices)
            session.choose(choice.id)
            assert session.undo() and session.history[-1] == state
            session.choose(choice.id)
            steps += 1
    assert len(endings) >= 12 and steps > 50_000


# -- terminals ----------------------------------------------------------------------------------

def test_term_dumb_falls_back_to_plain_mode() -> None:
    result = run_cli(input="quit\n", env={**os.environ, "TERM": "dumb"})
    assert result.returncode == 0 and "== Gibraltar — The drop over the Rock ==" in result.stdout


def test_no_color_and_a_non_utf8_locale_still_play() -> None:
    env = {**os.environ, "NO_COLOR": "1", "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii",
           "DAYLIGHTS_SAVES": str(Path(os.environ["DAYLIGHTS_SAVES"]))}
    result = run_cli("play", "--plain", input="1\nquit\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "== Gibraltar ? The drop over the Rock ==" in result.stdout
    assert "\x1b[" not in result.stdout


def test_stdin_closed_or_not_a_terminal() -> None:
    import subprocess
    import sys

    closed = subprocess.run([sys.executable, "-m", "game", "play"], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60)
    assert closed.returncode == 0 and closed.stdout.rstrip().endswith("(end of input: leaving the game)")
    shut = subprocess.run([sys.executable, "-c", "import os, sys; os.close(0); sys.stdin = None\n"
                           "from game.cli import main; sys.exit(main(['play', '--plain']))"],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert shut.returncode == 0, shut.stderr
    assert "Traceback" not in shut.stderr


def test_copying_the_bundled_story_elsewhere_still_checks(tmp_path: Path) -> None:
    shutil.copytree(bundled_scenes(), tmp_path / "copy")
    assert check_story(tmp_path / "copy")[0] is not None
