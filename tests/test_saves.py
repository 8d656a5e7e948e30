"""Saves: slots, autosave rotation, crash safety, bad input, and saves surviving story edits."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from immutables import Map

from game import engine
from game.engine import State
from game.saves import SaveError, SaveStore, check_slot_name, write_atomic
from game.story import Story, load_story
from tests.conftest import ROOT, TINY_ACT, TINY_STORY, write_story


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    return SaveStore(tmp_path / "saves")


def folder_snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_named_save_loads_back_the_same_state(tiny: Story, store: SaveStore) -> None:
    state = engine.replay(tiny, ["take_key", "flatter"]).with_elapsed(42.0)
    info = store.save("before the cellar", tiny, state)
    assert (info.slot, info.kind, info.scene_title, info.moves) == ("before the cellar", "named", "Hall", 2)
    loaded = store.load("before the cellar", tiny)
    assert loaded.state == state and loaded.notes == ()


def test_save_file_records_format_story_and_path(tiny: Story, store: SaveStore) -> None:
    store.save("one", tiny, engine.replay(tiny, ["take_key"]))
    record = json.loads((store.folder / "one.json").read_text())
    assert record["format"] == 1
    assert record["story"] == {"id": "tiny", "version": "1", "fingerprint": tiny.fingerprint}
    assert record["path"] == ["take_key"] and record["scene_title"] == "Hall" and record["act_title"] == "Act One"
    assert record["saved_at"].endswith("+00:00")


def test_autosaves_rotate_keeping_the_last_five(tiny: Story, store: SaveStore) -> None:
    state = engine.new_game(tiny)
    for _ in range(7):
        state = engine.choose(tiny, state, "flatter")
        store.autosave(tiny, state)
    autos = [i for i in store.list(tiny) if i.kind == "auto"]
    assert sorted(i.moves for i in autos) == [3, 4, 5, 6, 7]
    latest = store.latest_autosave(tiny)
    assert latest is not None and latest.moves == 7
    assert store.load(latest.slot, tiny).state.variables["trust"] == 7


def test_quicksave_and_listing(tiny: Story, store: SaveStore) -> None:
    store.quicksave(tiny, engine.new_game(tiny))
    store.save("mine", tiny, engine.new_game(tiny))
    assert [(i.slot, i.kind) for i in store.list(tiny)] == [("mine", "named"), ("quicksave", "quick")]


def test_endings_found_are_remembered_across_playthroughs(tiny: Story, store: SaveStore) -> None:
    death = engine.replay(tiny, ["take_key", "cellar"])
    assert store.record_ending(tiny, death) is True
    assert store.record_ending(tiny, death) is False
    assert list(SaveStore(store.folder).endings_found(tiny)) == ["cellar"]


def test_delete_removes_only_the_named_save(tiny: Story, store: SaveStore) -> None:
    store.save("a", tiny, engine.new_game(tiny))
    store.save("b", tiny, engine.new_game(tiny))
    store.delete("a")
    assert [i.slot for i in store.list(tiny)] == ["b"]
    with pytest.raises(SaveError, match="there is no save called 'a'"):
        store.delete("a")


story_states = st.builds(
    lambda moves, elapsed: (moves, elapsed),
    st.lists(st.sampled_from(["take_key", "flatter"]), max_size=12), st.floats(0, 1e6, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(story_states, st.frozensets(st.sampled_from(["key"])), st.integers(-1000, 1000), st.booleans())
def test_any_state_round_trips_through_the_save_format(case, inventory, trust, brave) -> None:
    story = load_story(write_story(Path(tempfile.mkdtemp()) / "s"))
    moves, elapsed = case
    played = engine.replay(story, moves)
    state = State(played.scene, inventory, Map({"trust": trust, "brave": brave}), played.visits,
                  played.path, elapsed)
    store = SaveStore(Path(tempfile.mkdtemp()))
    store.save("prop", story, state)
    assert store.load("prop", story).state == state


# -- crash safety -------------------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from game import engine
from game.saves import SaveStore
from game.story import load_story
story = load_story(sys.argv[1])
store = SaveStore(Path(sys.argv[2]))
state = engine.new_game(story)
for _ in range(2000):
    state = engine.choose(story, state, "flatter")
state = state.with_elapsed(1.0)
print("ready", flush=True)
n = 0
while True:
    n += 1
    store.save("victim", story, state.with_elapsed(float(n)))
"""


def test_killing_a_writer_mid_save_leaves_the_previous_save_readable(tmp_path: Path) -> None:
    story_folder = write_story(tmp_path / "s")
    story = load_story(story_folder)
    saves = tmp_path / "saves"
    store = SaveStore(saves)
    store.save("victim", story, engine.new_game(story))
    for attempt in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(story_folder), str(saves)], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.037 * attempt)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        loaded = store.load("victim", story)
        assert loaded.state.scene == "hall"
        assert loaded.state.moves in (0, 2000)
    assert [i.slot for i in store.list(story)] == ["victim"]


@pytest.mark.parametrize("code, message", [
    (errno.ENOSPC, "the disk is full"),
    (errno.EACCES, "permission denied"),
    (errno.EROFS, "the folder is on a read-only file system"),
])
def test_a_failed_write_keeps_the_previous_save(tiny: Story, store: SaveStore, monkeypatch: pytest.MonkeyPatch,
                                                code: int, message: str) -> None:
    store.save("slot", tiny, engine.new_game(tiny))
    before = folder_snapshot(store.folder)
    real_fdopen = os.fdopen

    class FailingFile:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FailingFile(real_fdopen(fd, mode)))
    with pytest.raises(SaveError) as raised:
        store.save("slot", tiny, engine.replay(tiny, ["take_key"]))
    assert str(raised.value) == f"could not save slot.json: {message}; the previous save is untouched"
    monkeypatch.undo()
    assert folder_snapshot(store.folder) == before
    assert store.load("slot", tiny).state == engine.new_game(tiny)


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("", "a save name cannot be empty"),
    ("a/b", "a save name cannot contain '/'"),
    ("a\\b", "a save name cannot contain '\\\\'"),
    ("..", "a save name cannot contain '..'"),
    ("../../etc/passwd", "a save name cannot contain '/'"),
    ("bell\x07", "a save name cannot contain control characters"),
    ("x" * 41, "a save name can be at most 40 characters"),
    ("autosave-1", "reserved"),
    (".hidden", "cannot start or end with a space, or start with '.'"),
])
def test_bad_slot_names_are_refused_and_nothing_is_written(tiny: Story, store: SaveStore, name: str,
                                                           message: str) -> None:
    with pytest.raises(SaveError, match=message):
        store.save(name, tiny, engine.new_game(tiny))
    assert not store.folder.exists() or list(store.folder.iterdir()) == []


def valid_record(tiny: Story, store: SaveStore) -> dict:
    store.save("good", tiny, engine.replay(tiny, ["take_key"]))
    return json.loads((store.folder / "good.json").read_text())


@pytest.mark.parametrize("mutate, message", [
    (lambda text, rec: text[: len(text) // 2], "save 'bad' is damaged: "),
    (lambda text, rec: "\x00\xff garbage", "save 'bad' is damaged: "),
    (lambda text, rec: "[1, 2, 3]", "save 'bad' is not a Daylights save"),
    (lambda text, rec: json.dumps({**rec, "format": 99}), "made by a newer Daylights \\(format 99"),
    (lambda text, rec: json.dumps({**rec, "story": {**rec["story"], "id": "other"}}),
     "save 'bad' belongs to another story \\('other'\\)"),
    (lambda text, rec: json.dumps({**rec, "moves": "twelve"}), "'moves' is missing or of the wrong type"),
    (lambda text, rec: json.dumps({**rec, "state": {**rec["state"], "inventory": "key"}}),
     "state.inventory must be a list of strings"),
    (lambda text, rec: json.dumps({**rec, "path": [1, 2]}), "'path' must be a list of choice ids"),
])
def test_bad_save_files_are_refused_and_left_unchanged(tiny: Story, store: SaveStore, mutate, message) -> None:
    record = valid_record(tiny, store)
    text = (store.folder / "good.json").read_text()
    (store.folder / "bad.json").write_text(mutate(text, record))
    before = folder_snapshot(store.folder)
    with pytest.raises(SaveError, match=message):
        store.load("bad", tiny)
    listed = {i.slot: i.error for i in store.list(tiny)}
    assert listed["good"] is None and listed["bad"]
    assert folder_snapshot(store.folder) == before


def test_slot_name_checks_accept_ordinary_names() -> None:
    assert check_slot_name("Vienna, before the Prater") == "Vienna, before the Prater"


# -- story edits --------------------------------------------------------------------------------

def edited(tmp_path: Path, story: str = TINY_STORY, act: str = TINY_ACT) -> Story:
    return load_story(write_story(tmp_path / "edited", story=story, acts={"one.yaml": act}))


def test_prose_edit_replays_the_path(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key", "flatter"]).with_elapsed(9.0))
    new = edited(tmp_path, act=TINY_ACT.replace("You stand in a hall.", "You stand in a grand hall."))
    loaded = store.load("s", new)
    assert list(loaded.state.path) == ["take_key", "flatter"] and loaded.state.elapsed == 9.0
    assert "your choices were replayed" in loaded.notes[0]


def test_added_scene_keeps_the_save_loadable(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key"]))
    act = TINY_ACT + "  attic:\n    title: Attic\n    text: Dusty.\n    ending: {kind: alternate, title: Up}\n"
    act = act.replace("      - id: flatter\n", "      - id: attic\n        text: Climb\n        goto: attic\n"
                      "      - id: flatter\n")
    loaded = store.load("s", edited(tmp_path, act=act))
    assert loaded.state.inventory == {"key"} and loaded.state.scene == "hall"


def test_removed_choice_falls_back_to_the_saved_state(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["flatter", "take_key"]))
    act = TINY_ACT.replace("      - id: flatter\n        text: Flatter the butler\n        goto: hall\n"
                           "        do: {add: {trust: 1}}\n", "")
    story = TINY_STORY.replace("  trust: 0\n", "  trust: 0\n  courage: 3\n")
    act = act.replace("if: trust >= 2 and brave", "if: trust >= 2 and brave and courage > 1")
    loaded = store.load("s", edited(tmp_path, story=story, act=act))
    assert loaded.state.scene == "hall" and loaded.state.inventory == {"key"}
    assert dict(loaded.state.variables) == {"brave": True, "trust": 1, "courage": 3}
    assert "no longer replay" in loaded.notes[0]
    assert "New in the story: 'courage' starts at 3." in loaded.notes


def test_removed_item_refuses_and_names_it(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key"]))
    before = folder_snapshot(store.folder)
    story = TINY_STORY.replace("items:\n  key:\n    name: Brass key\n    description: It opens the cellar.\n", "")
    act = (TINY_ACT.replace("        do: {give: key, set: brave}\n", "        do: {set: brave}\n")
           .replace("      - id: take_key\n        text: Take the key\n", "      - id: take_nothing\n"
                    "        text: Take nothing\n")
           .replace("        if: has key\n", "        if: brave\n"))
    with pytest.raises(SaveError, match="item 'key' no longer exists; the save file is kept as it was"):
        store.load("s", edited(tmp_path, story=story, act=act))
    assert folder_snapshot(store.folder) == before


def test_removed_scene_refuses_and_names_it(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key", "cellar"]))
    act = TINY_ACT.replace("goto: cellar", "goto: win").replace(
        "  cellar:\n    title: Cellar\n    text: It is dark.\n    ending: {kind: death, title: Eaten by a grue}\n", "")
    act = act.replace("      - id: cellar\n", "      - id: down\n")
    with pytest.raises(SaveError, match="scene 'cellar' no longer exists"):
        store.load("s", edited(tmp_path, act=act))


def test_saves_are_fsynced_and_only_throwaway_files_skip_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    write_atomic(tmp_path / "save.json", b"{}")
    assert len(synced) == 2  # the file, then the folder that names it
    synced.clear()
    write_atomic(tmp_path / "cache.pickle", b"data", durable=False)
    assert synced == [] and (tmp_path / "cache.pickle").read_bytes() == b"data"
