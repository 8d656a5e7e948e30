"""Saves: slots, autosave rotation, crash safety, typed decoding of hostile files, per-story
folders, the old flat layout, and saves surviving story edits."""

from __future__ import annotations

import errno
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from immutables import Map

from game import atomic, engine, saves
from game.atomic import clean_stale_temps, write_atomic
from game.engine import State, Trail
from game.saves import SaveError, SaveStore, check_slot_name
from game.session import Loaded, restore
from game.story import Story, load_story
from tests.conftest import ROOT, TINY_ACT, TINY_STORY, write_story


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    return SaveStore(tmp_path / "saves")


def folder_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (recursively) with its bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def load(store: SaveStore, slot: str, story: Story) -> Loaded:
    """A save read and brought forward to ``story``, as a Session loads it."""
    return restore(story, store.read(slot, story))


def other_story(tmp_path: Path) -> Story:
    return load_story(write_story(tmp_path / "other", story=TINY_STORY.replace("id: tiny", "id: other")))


def test_named_save_loads_back_the_same_state(tiny: Story, store: SaveStore) -> None:
    state = engine.replay(tiny, ["take_key", "flatter"]).with_elapsed(42.0)
    info = store.save("before the cellar", tiny, state)
    assert (info.slot, info.kind, info.scene_title, info.moves) == ("before the cellar", "named", "Hall", 2)
    loaded = load(store, "before the cellar", tiny)
    assert loaded.state == state and loaded.notes == ()


def test_save_file_keeps_the_path_once_as_a_table_of_choice_ids(tiny: Story, store: SaveStore) -> None:
    store.save("one", tiny, engine.replay(tiny, ["take_key", "flatter", "flatter"]))
    record = json.loads((store.folder / "tiny" / "one.json").read_text())
    assert record["format"] == 2
    assert record["story"] == {"id": "tiny", "version": "1", "fingerprint": tiny.fingerprint}
    assert record["choices"] == ["take_key", "flatter"] and record["path"] == [0, 1, 1]
    assert "path" not in record["state"] and record["scene_title"] == "Hall" and record["act_title"] == "Act One"
    assert record["saved_at"].endswith("Z")


def test_autosaves_rotate_keeping_the_last_five(tiny: Story, store: SaveStore) -> None:
    state = engine.new_game(tiny)
    for _ in range(7):
        state = engine.choose(tiny, state, "flatter")
        store.autosave(tiny, state)
    autos = [i for i in store.list(tiny) if i.kind == "auto"]
    assert sorted(i.moves for i in autos) == [3, 4, 5, 6, 7]
    latest = store.latest_autosave(tiny)
    assert latest is not None and latest.moves == 7
    assert load(store, latest.slot, tiny).state.variables["trust"] == 7


def test_a_new_store_carries_on_the_autosave_sequence_from_the_files(tiny: Story, store: SaveStore) -> None:
    state = engine.new_game(tiny)
    for _ in range(3):
        state = engine.choose(tiny, state, "flatter")
        store.autosave(tiny, state)
    again = SaveStore(store.folder)
    assert again.autosave(tiny, engine.choose(tiny, state, "flatter")).sequence == 4
    latest = again.latest_autosave(tiny)
    assert latest is not None and (latest.slot, latest.moves) == ("autosave-4", 4)


def test_an_autosave_at_the_largest_sequence_does_not_stop_autosaving(tiny: Story, store: SaveStore) -> None:
    store.autosave(tiny, engine.new_game(tiny))
    planted = store.path(tiny, "autosave-1")
    planted.write_text(planted.read_text().replace('"sequence":1', f'"sequence":{saves.MAX_INT}'))
    fresh = SaveStore(store.folder)
    state = engine.new_game(tiny)
    for _ in range(5):
        state = engine.choose(tiny, state, "flatter")
        assert fresh.autosave(tiny, state).error is None
    latest = fresh.latest_autosave(tiny)
    assert latest is not None and latest.moves == 5


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
    store.delete("a", tiny)
    assert [i.slot for i in store.list(tiny)] == ["b"]
    with pytest.raises(SaveError, match="there is no save called 'a'"):
        store.delete("a", tiny)


story_states = st.builds(
    lambda moves, elapsed: (moves, elapsed),
    st.lists(st.sampled_from(["take_key", "flatter"]), max_size=12), st.floats(0, 1e6, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(story_states, st.frozensets(st.sampled_from(["key"])), st.integers(-saves.MAX_INT, saves.MAX_INT),
       st.booleans())
def test_any_state_round_trips_through_the_save_format(case: tuple[list[str], float], inventory: frozenset[str],
                                                       trust: int, brave: bool) -> None:
    story = load_story(write_story(Path(tempfile.mkdtemp()) / "s"))
    moves, elapsed = case
    played = engine.replay(story, moves)
    state = State(played.scene, inventory, Map({"trust": trust, "brave": brave}), played.visits,
                  played.path, elapsed, frozenset({"hall.take_key"}) if brave else frozenset())
    store = SaveStore(Path(tempfile.mkdtemp()))
    store.save("prop", story, state)
    assert load(store, "prop", story).state == state


# -- long games -----------------------------------------------------------------------------------

def long_state(story: Story, moves: int) -> State:
    """The state after ``moves`` flatteries, built directly (replaying would take seconds)."""
    return State("hall", frozenset(), Map({"trust": moves, "brave": False}), Map({"hall": moves + 1}),
                 Trail.of(["flatter"] * moves), 3600.0)


def test_a_290000_move_game_saves_and_loads(tiny: Story, store: SaveStore) -> None:
    state = long_state(tiny, 290_000)
    store.save("marathon", tiny, state)
    assert (store.folder / "tiny" / "marathon.json").stat().st_size < saves.MAX_SAVE_BYTES // 4
    assert load(store, "marathon", tiny).state == state
    assert {i.slot: i.moves for i in store.list(tiny)} == {"marathon": 290_000}


def test_a_game_too_long_to_save_is_refused_and_the_previous_save_kept(tiny: Story, store: SaveStore,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store.save("slot", tiny, engine.new_game(tiny))
    before = folder_snapshot(store.folder)
    monkeypatch.setattr(saves, "MAX_SAVE_BYTES", 5_000)
    with pytest.raises(SaveError, match=r"too long to save \(3,000 moves .*the previous save is untouched"):
        store.save("slot", tiny, long_state(tiny, 3_000))
    assert folder_snapshot(store.folder) == before


def test_a_state_the_reader_would_refuse_is_never_written(tiny: Story, store: SaveStore) -> None:
    store.save("slot", tiny, engine.new_game(tiny))
    before = folder_snapshot(store.folder)
    huge = engine.new_game(tiny)
    huge = State(huge.scene, huge.inventory, huge.variables.set("trust", 10**20), huge.visits)
    with pytest.raises(SaveError, match=r"it would not load again .*the previous save is untouched"):
        store.save("slot", tiny, huge)
    assert folder_snapshot(store.folder) == before


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
    saves_root = tmp_path / "saves"
    store = SaveStore(saves_root)
    store.save("victim", story, engine.new_game(story))
    for attempt in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(story_folder), str(saves_root)], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.037 * attempt)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        loaded = load(store, "victim", story)
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
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> FailingFile:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> None:
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FailingFile(real_fdopen(fd, mode)))
    with pytest.raises(SaveError) as raised:
        store.save("slot", tiny, engine.replay(tiny, ["take_key"]))
    assert str(raised.value) == f"could not save slot.json: {message}; the previous save is untouched"
    monkeypatch.undo()
    assert folder_snapshot(store.folder) == before
    assert load(store, "slot", tiny).state == engine.new_game(tiny)


def test_saves_are_fsynced_and_only_throwaway_files_skip_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(tmp_path / "save.json", b"{}")
    assert len(synced) == 2  # the file, then the folder that names it
    synced.clear()
    write_atomic(tmp_path / "cache.pickle", b"data", durable=False)
    assert synced == [] and (tmp_path / "cache.pickle").read_bytes() == b"data"


def age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def test_stale_temporary_files_of_ours_are_removed_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / ".tmp-killed.json").write_bytes(b"half a save")
    (tmp_path / ".tmp-writing.json").write_bytes(b"a save being written now")
    (tmp_path / ".tmp-folder").mkdir()
    (tmp_path / "old-save.json").write_bytes(b"{}")
    (tmp_path / ".tmp-link").symlink_to(tmp_path / "old-save.json")
    for name in (".tmp-killed.json", ".tmp-folder", "old-save.json", ".tmp-link"):
        age(tmp_path / name, 7200)
    assert clean_stale_temps(tmp_path) == [tmp_path / ".tmp-killed.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-folder", ".tmp-link", ".tmp-writing.json",
                                                          "old-save.json"]


def test_opening_a_story_folder_cleans_its_stale_temporary_files(tiny: Story, store: SaveStore) -> None:
    folder = store.folder / "tiny"
    folder.mkdir(parents=True)
    (folder / ".tmp-abc.json").write_bytes(b"{")
    age(folder / ".tmp-abc.json", 7200)
    assert store.list(tiny) == [] and not (folder / ".tmp-abc.json").exists()


# -- names --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("", "a save name cannot be empty"),
    ("a/b", "a save name cannot contain '/'"),
    ("a\\b", "a save name cannot contain '\\\\'"),
    ("..", "a save name cannot contain '..'"),
    ("../../etc/passwd", "a save name cannot contain '/'"),
    ("bell\x07", "a save name cannot contain control characters"),
    ("bidi\u202e", "a save name cannot contain control characters"),
    ("two\u2028lines", "a save name cannot contain control characters"),
    ("x" * 41, "a save name can be at most 40 characters"),
    ("autosave-1", "reserved"),
    ("autosave-9", "reserved"),
    ("quicksave", "reserved"),
    ("Speedrun", "reserved"),
    ("endings", "reserved"),
    (".hidden", "cannot start or end with a space, or start with '.'"),
])
def test_bad_slot_names_are_refused_and_nothing_is_written(tiny: Story, store: SaveStore, name: str,
                                                           message: str) -> None:
    with pytest.raises(SaveError, match=message):
        store.save(name, tiny, engine.new_game(tiny))
    assert folder_snapshot(store.folder) == {}


def test_saving_as_speedrun_never_touches_the_records(tiny: Story, store: SaveStore) -> None:
    records = store.story_folder(tiny) / "speedrun.json"
    write_atomic(records, b"my personal bests")
    with pytest.raises(SaveError, match="reserved"):
        store.save("speedrun", tiny, engine.new_game(tiny))
    assert records.read_bytes() == b"my personal bests"


@pytest.mark.parametrize("name", ["autosave-d/../../outside", "autosave-1\x00", "quicksave/../../outside",
                                  "../outside", "autosave-1/../../outside"])
def test_load_and_delete_check_every_name(tiny: Story, store: SaveStore, name: str) -> None:
    outside = store.folder / "outside.json"
    store.save("mine", tiny, engine.new_game(tiny))
    outside.write_bytes((store.folder / "tiny" / "mine.json").read_bytes())
    for act in (lambda: load(store, name, tiny), lambda: store.delete(name, tiny)):
        with pytest.raises(SaveError, match="a save name cannot"):
            act()
    assert outside.exists()


def test_slot_name_checks_accept_ordinary_names() -> None:
    assert check_slot_name("Vienna, before the Prater") == "Vienna, before the Prater"
    assert check_slot_name("[WIP] run ✓") == "[WIP] run ✓"


# -- damaged files --------------------------------------------------------------------------------

def valid_record(tiny: Story, store: SaveStore) -> dict[str, Any]:
    store.save("good", tiny, engine.replay(tiny, ["take_key"]))
    record: dict[str, Any] = json.loads((store.folder / "tiny" / "good.json").read_text())
    return record


def with_state(rec: dict[str, Any], **changes: object) -> str:
    return json.dumps({**rec, "state": {**rec["state"], **changes}})


@pytest.mark.parametrize("mutate, message", [
    (lambda text, rec: text[: len(text) // 2], "save 'bad' is damaged: it is not valid JSON"),
    (lambda text, rec: "\x00\xff garbage", "save 'bad' is damaged: "),
    (lambda text, rec: text.replace('"Hall"', '"Hall\\ud800"'), "save 'bad' is damaged: it is not valid JSON"),
    (lambda text, rec: text.replace('"Hall"', '"Hall\udc80"'), "save 'bad' is damaged: it is not valid JSON"),
    (lambda text, rec: "[1, 2, 3]", "save 'bad' is not a Daylights save"),
    (lambda text, rec: json.dumps({**rec, "format": 99}), "made by a newer Daylights \\(format 99"),
    (lambda text, rec: json.dumps({**rec, "story": {**rec["story"], "id": "other"}}),
     "save 'bad' belongs to another story \\('other'\\)"),
    (lambda text, rec: json.dumps({**rec, "sequence": "twelve"}), r"Expected `int`, got `str` - at `\$.sequence`"),
    (lambda text, rec: with_state(rec, inventory="key"), r"at `\$.state.inventory`"),
    (lambda text, rec: json.dumps({**rec, "path": [1, 2]}), "its path names a choice its table lacks"),
    (lambda text, rec: text.replace('"trust":0', '"trust":' + "9" * 5000), "damaged: "),
    (lambda text, rec: text.replace('"elapsed":0.0', '"elapsed":NaN'), "damaged: it is not valid JSON"),
    (lambda text, rec: text.replace('"elapsed":0.0', '"elapsed":1e999'), "damaged: Number out of range"),
    (lambda text, rec: text.replace('"elapsed":0.0', '"elapsed":-1.0'), "damaged: Expected `float` >= 0"),
    (lambda text, rec: json.dumps({**rec, "saved_at": "99999-01-01T00:00:00Z"}), "Invalid RFC3339"),
    (lambda text, rec: json.dumps({**rec, "saved_at": "2026-01-01T00:00:00"}), "saved_at"),
    (lambda text, rec: json.dumps({**rec, "saved_at": "0001-01-01T00:00:00Z"}), "its date is out of range"),
    (lambda text, rec: json.dumps({**rec, "scene_title": "Hall\x1b]2;pwned\x07"}), "holds control characters"),
    (lambda text, rec: with_state(rec, inventory=["key", "crowbar"]), "its item 'crowbar' is not in the story"),
    (lambda text, rec: with_state(rec, variables={"brave": True}), "variable 'trust' is missing"),
    (lambda text, rec: with_state(rec, variables={"brave": True, "trust": 0, "luck": 1}),
     "variable 'luck' is not in the story"),
    (lambda text, rec: with_state(rec, variables={"brave": 1, "trust": 0}), "variable 'brave' has a value of the"),
    (lambda text, rec: with_state(rec, scene="attic"), "its scene 'attic' is not in the story"),
    (lambda text, rec: with_state(rec, visits={"attic": 1}), "visits to scene 'attic'"),
    (lambda text, rec: with_state(rec, used=["hall.fly"]), "it has taken choice 'hall.fly', which is not in the"),
    (lambda text, rec: with_state(rec, used=["hall"]), r"at `\$.state.used\[0\]`"),
    (lambda text, rec: with_state(rec, scene="hall\u202e"), r"at `\$.state.scene`"),
])
def test_bad_save_files_are_listed_as_damaged_and_left_unchanged(tiny: Story, store: SaveStore,
                                                                 mutate: Callable[[str, dict[str, Any]], str],
                                                                 message: str) -> None:
    record = valid_record(tiny, store)
    text = (store.folder / "tiny" / "good.json").read_text()
    (store.folder / "tiny" / "bad.json").write_text(mutate(text, record), errors="surrogateescape")
    before = folder_snapshot(store.folder)
    with pytest.raises(SaveError, match=message) as raised:
        load(store, "bad", tiny)
    assert "\n" not in str(raised.value)
    listed = {i.slot: i.error for i in store.list(tiny)}
    assert listed["good"] is None and listed["bad"] == str(raised.value)
    assert folder_snapshot(store.folder) == before


def test_a_counter_outside_its_declared_range_is_damage(tmp_path: Path) -> None:
    story = load_story(write_story(tmp_path / "ranged", story=TINY_STORY.replace(
        "  trust: 0\n", "  trust:\n    default: 0\n    description: Trust.\n    range: [0, 5]\n")))
    store = SaveStore(tmp_path / "saves")
    store.save("good", story, engine.new_game(story))
    path = store.path(story, "good")
    path.write_text(path.read_text().replace('"trust":0', '"trust":6'))
    with pytest.raises(SaveError, match="variable 'trust' is 6, outside its range"):
        load(store, "good", story)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**20) | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "hall", "key", "\x1b]52;c;aGk=\x07", "\u202e", "2026-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
FIELDS = ["format", "game", "story", "slot", "kind", "sequence", "saved_at", "act_title", "scene_title", "state",
          "choices", "path", "story.id", "story.version", "story.fingerprint", "state.scene", "state.inventory",
          "state.variables", "state.visits", "state.elapsed", "state.used", "state.variables.trust",
          "state.visits.hall", "nonsense"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_json_value_in_any_save_field_is_damage_and_nothing_else_breaks(tmp_path: Path, tiny: Story,
                                                                            field: str, value: object) -> None:
    store = SaveStore(Path(tempfile.mkdtemp(dir=tmp_path)))
    record = valid_record(tiny, store)
    store.autosave(tiny, engine.replay(tiny, ["flatter"]))
    target: dict[str, Any] = record
    *parents, last = field.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    bad = store.folder / "tiny" / "bad.json"
    bad.write_text(json.dumps(record, allow_nan=True))
    before = folder_snapshot(store.folder)
    listed = {i.slot: i for i in store.list(tiny)}
    try:
        loaded = load(store, "bad", tiny)
    except SaveError as exc:
        assert str(exc) and "\n" not in str(exc) and listed["bad"].error == str(exc)
    else:
        assert listed["bad"].error is None and loaded.state.scene in tiny.scenes
        assert all(math.isfinite(x) for x in (loaded.state.elapsed, listed["bad"].elapsed))
    assert listed["good"].error is None and listed["autosave-1"].error is None
    assert folder_snapshot(store.folder) == before
    latest = store.latest_autosave(tiny)
    assert latest is not None and latest.slot == "autosave-1"
    assert store.autosave(tiny, engine.replay(tiny, ["flatter", "flatter"])).slot == "autosave-2"
    assert bad.read_bytes() == before["tiny/bad.json"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["format", "game", "story", "found", "found.cellar", "extra"]), value=JSON)
def test_any_json_value_in_the_endings_record_is_damage_never_a_crash(tmp_path: Path, tiny: Story, field: str,
                                                                      value: object) -> None:
    store = SaveStore(Path(tempfile.mkdtemp(dir=tmp_path)))
    store.record_ending(tiny, engine.replay(tiny, ["take_key", "cellar"]))
    path = store.story_folder(tiny) / "endings.json"
    record = json.loads(path.read_text())
    target: dict[str, Any] = record
    *parents, last = field.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    data = json.dumps(record, allow_nan=True).encode()
    path.write_bytes(data)
    found, problem = store.endings_record(tiny)
    assert (problem is None) or (found == {} and "\n" not in problem)
    assert set(store.endings_found(tiny)) <= {"cellar", "win"} and path.read_bytes() == data
    store.record_ending(tiny, engine.replay(tiny, ["take_key", "flatter", "flatter", "secret"]))
    assert "win" in store.endings_found(tiny)
    kept = [p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(".endings-damaged-")]
    assert kept == ([data] if problem else [])


def run_with_timeout(action: Callable[[], object], seconds: float = 10) -> None:
    """Run ``action`` in a thread and fail the test if it has not finished in ``seconds``."""
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            action()
        except BaseException as exc:  # re-raised in the test's own thread
            errors.append(exc)

    thread = threading.Thread(target=guarded, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung"
    if errors:
        raise errors[0]


def test_a_fifo_in_the_saves_folder_never_hangs_the_game(tiny: Story, store: SaveStore) -> None:
    folder = store.folder / "tiny"
    folder.mkdir(parents=True)
    for name in ("fifo.json", "autosave-1.json", "endings.json", "speedrun.json"):
        os.mkfifo(folder / name)
        os.mkfifo(store.folder / name)  # the flat layout, copied on first use

    def play() -> None:
        listed = {i.slot: i.error for i in store.list(tiny)}
        assert listed == {"fifo": "save 'fifo' is damaged: it is not a regular file",
                          "autosave-1": "save 'autosave-1' is damaged: it is not a regular file"}
        with pytest.raises(SaveError, match="not a regular file"):
            load(store, "fifo", tiny)
        assert store.latest_autosave(tiny) is None
        assert store.autosave(tiny, engine.new_game(tiny)).slot == "autosave-1"
        assert store.endings_record(tiny) == ({}, "the endings record is damaged: endings.json is not a regular file")
        assert store.record_ending(tiny, engine.replay(tiny, ["take_key", "cellar"]))
        from game.speedrun import Records

        assert Records(store.folder).read(tiny)[1] == "the speedrun records are damaged: speedrun.json is not a " \
                                                      "regular file"

    run_with_timeout(play)
    assert list(store.endings_found(tiny)) == ["cellar"]


def test_a_damaged_endings_record_is_reported_and_kept_aside_when_replaced(tiny: Story, store: SaveStore) -> None:
    path = store.story_folder(tiny) / "endings.json"
    write_atomic(path, b'{"format":2,"game":"daylights","story":"tiny","found":{"win":"1066-10-14T09:00:00Z"}}')
    assert store.endings_found(tiny) == {}
    assert store.endings_record(tiny)[1] == "the endings record is damaged: a date is out of range"
    assert store.record_ending(tiny, engine.replay(tiny, ["take_key", "cellar"]))
    assert list(store.endings_found(tiny)) == ["cellar"]
    kept = [p for p in path.parent.iterdir() if p.name.startswith(".endings-damaged-")]
    assert len(kept) == 1 and b"1066" in kept[0].read_bytes()


# -- cost -----------------------------------------------------------------------------------------

def count_file_access(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of folder listings and file reads made through the saves module from now on."""
    counts = {"listings": 0, "reads": 0}
    real_scandir, real_read = os.scandir, atomic.read_bounded

    def scandir(path: Any) -> Any:
        counts["listings"] += 1
        return real_scandir(path)

    def read(path: Path, limit: int) -> bytes:
        counts["reads"] += 1
        return real_read(path, limit)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda *a: pytest.fail("listdir"))
    monkeypatch.setattr(saves, "read_bounded", read)
    return counts


@pytest.mark.parametrize("named", [0, 1000])
def test_autosave_lists_nothing_and_reads_nothing_however_many_saves(tiny: Story, store: SaveStore,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     named: int) -> None:
    state = engine.new_game(tiny)
    folder = store.story_folder(tiny)
    store.save("template", tiny, state)
    for n in range(named):
        (folder / f"save {n}.json").write_bytes((folder / "template.json").read_bytes())
    store.autosave(tiny, state)
    counts = count_file_access(monkeypatch)
    for _ in range(10):
        state = engine.choose(tiny, state, "flatter")
        store.autosave(tiny, state)
    assert counts == {"listings": 0, "reads": 0}
    assert store.latest_autosave(tiny) is not None and counts == {"listings": 0, "reads": 5}


def test_the_first_autosave_reads_only_the_five_autosave_files(tiny: Story, store: SaveStore,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store.story_folder(tiny)
    for n in range(50):
        store.save(f"save {n}", tiny, engine.new_game(tiny))
    fresh = SaveStore(store.folder)
    fresh.story_folder(tiny)
    counts = count_file_access(monkeypatch)
    fresh.autosave(tiny, engine.new_game(tiny))
    assert counts == {"listings": 0, "reads": 5}


# -- stories apart ---------------------------------------------------------------------------------

def test_two_stories_in_one_saves_folder_never_touch_each_other(tmp_path: Path, tiny: Story,
                                                                store: SaveStore) -> None:
    other = other_story(tmp_path)
    for _ in range(6):
        store.autosave(tiny, engine.replay(tiny, ["flatter"]))
    store.save("mine", tiny, engine.new_game(tiny))
    store.record_ending(tiny, engine.replay(tiny, ["take_key", "cellar"]))
    assert store.list(other) == [] and store.latest_autosave(other) is None and store.endings_found(other) == {}
    store.autosave(other, engine.replay(other, ["take_key"]))
    latest = store.latest_autosave(tiny)
    assert latest is not None and latest.sequence == 6
    assert [i.slot for i in store.list(other)] == ["autosave-1"]
    assert sorted(p.name for p in store.folder.iterdir()) == ["other", "tiny"]


# -- the old flat layout ---------------------------------------------------------------------------

def format1_save(story: Story, slot: str, kind: str, choices: list[str], sequence: int = 0) -> bytes:
    """A save exactly as the first release wrote it: flat in the root, the path twice."""
    state = engine.replay(story, choices)
    scene = story.scenes[state.scene]
    record = {"format": 1, "game": "daylights",
              "story": {"id": story.id, "version": story.version, "fingerprint": story.fingerprint},
              "slot": slot, "kind": kind, "sequence": sequence, "saved_at": "2026-11-20T21:15:00+00:00",
              "act_title": story.act(scene.act).title, "scene_title": scene.title, "moves": state.moves,
              "elapsed": 12.5, "path": choices, "state": {**state.to_json(), "elapsed": 12.5}}
    return json.dumps(record, ensure_ascii=False, indent=1).encode()


def test_flat_saves_are_copied_into_the_story_folder_and_the_originals_kept(tmp_path: Path, tiny: Story,
                                                                           store: SaveStore) -> None:
    other = other_story(tmp_path)
    root = store.folder
    root.mkdir(parents=True)
    (root / "mine.json").write_bytes(format1_save(tiny, "mine", "named", ["take_key"]))
    (root / "quicksave.json").write_bytes(format1_save(tiny, "quicksave", "quick", ["flatter"]))
    (root / "autosave-3.json").write_bytes(format1_save(tiny, "autosave-3", "auto", ["flatter", "flatter"], 8))
    (root / "theirs.json").write_bytes(format1_save(other, "theirs", "named", []))
    (root / "junk.json").write_bytes(b"{ not json")
    (root / "endings.json").write_text(json.dumps({"tiny": {"cellar": "2026-11-20T21:15:00+00:00"},
                                                   "other": {"win": "2026-11-21T09:00:00+00:00"}}))
    best = {"seconds": 9.5, "moves": 4, "splits": [{"act": "one", "moves": 4, "seconds": 9.5}],
            "segments": {"one": 9.5}}
    (root / "speedrun.json").write_text(json.dumps({"tiny": best}))
    originals = folder_snapshot(root)

    assert [(i.slot, i.moves, i.error) for i in store.list(tiny)] == [
        ("mine", 1, None), ("autosave-3", 2, None), ("quicksave", 1, None)]
    assert load(store, "mine", tiny).state == engine.replay(tiny, ["take_key"]).with_elapsed(12.5)
    assert store.endings_found(tiny) == {"cellar": "2026-11-20T21:15:00+00:00"}
    assert store.autosave(tiny, engine.new_game(tiny)).sequence == 9
    from game.speedrun import Records

    record = Records(root).best(tiny)
    assert record is not None and record.seconds == 9.5
    assert {k: v for k, v in folder_snapshot(root).items() if "/" not in k} == originals
    assert sorted(p.name for p in (root / "tiny").iterdir() if p.suffix == ".json") == [
        "autosave-3.json", "autosave-4.json", "endings.json", "mine.json", "quicksave.json", "speedrun.json"]
    assert store.endings_found(other) == {"win": "2026-11-21T09:00:00+00:00"}
    assert [i.slot for i in store.list(other)] == ["theirs"]


def test_flat_saves_are_copied_once_and_never_over_newer_ones(tiny: Story, store: SaveStore) -> None:
    root = store.folder
    root.mkdir(parents=True)
    (root / "mine.json").write_bytes(format1_save(tiny, "mine", "named", ["take_key"]))
    store.list(tiny)
    store.save("mine", tiny, engine.replay(tiny, ["flatter", "flatter"]))
    (root / "late.json").write_bytes(format1_save(tiny, "late", "named", []))
    again = SaveStore(root)
    assert {i.slot: i.moves for i in again.list(tiny)} == {"mine": 2}


# -- story edits --------------------------------------------------------------------------------

def edited(tmp_path: Path, story: str = TINY_STORY, act: str = TINY_ACT) -> Story:
    return load_story(write_story(tmp_path / "edited", story=story, acts={"one.yaml": act}))


def test_prose_edit_replays_the_path(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key", "flatter"]).with_elapsed(9.0))
    new = edited(tmp_path, act=TINY_ACT.replace("You stand in a hall.", "You stand in a grand hall."))
    loaded = load(store, "s", new)
    assert list(loaded.state.path) == ["take_key", "flatter"] and loaded.state.elapsed == 9.0
    assert "your choices were replayed" in loaded.notes[0]


def test_added_scene_keeps_the_save_loadable(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key"]))
    act = TINY_ACT + "  attic:\n    title: Attic\n    text: Dusty.\n    ending: {kind: alternate, title: Up}\n"
    act = act.replace("      - id: flatter\n", "      - id: attic\n        text: Climb\n        goto: attic\n"
                      "      - id: flatter\n")
    loaded = load(store, "s", edited(tmp_path, act=act))
    assert loaded.state.inventory == {"key"} and loaded.state.scene == "hall"


def test_removed_choice_falls_back_to_the_saved_state(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["flatter", "take_key"]))
    act = TINY_ACT.replace("      - id: flatter\n        text: Flatter the butler\n        goto: hall\n"
                           "        do: {add: {trust: 1}}\n", "")
    story = TINY_STORY.replace("  trust: 0\n", "  trust: 0\n  courage: 3\n")
    act = act.replace("if: trust >= 2 and brave", "if: trust >= 2 and brave and courage > 1")
    loaded = load(store, "s", edited(tmp_path, story=story, act=act))
    assert loaded.state.scene == "hall" and loaded.state.inventory == {"key"}
    assert dict(loaded.state.variables) == {"brave": True, "trust": 1, "courage": 3}
    assert "no longer replay" in loaded.notes[0]
    assert "New in the story: 'courage' starts at 3." in loaded.notes


def test_a_counter_outside_its_new_range_is_brought_inside_it(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["flatter", "flatter", "flatter", "take_key"]))
    act = TINY_ACT.replace("      - id: flatter\n        text: Flatter the butler\n        goto: hall\n"
                           "        do: {add: {trust: 1}}\n", "")
    story = TINY_STORY.replace("  trust: 0\n", "  trust:\n    default: 0\n    description: Trust.\n    range: [0, 2]\n")
    new = edited(tmp_path, story=story, act=act)
    loaded = load(store, "s", new)
    assert loaded.state.variables["trust"] == 2 and "'trust' now ranges from 0 to 2: it is 2." in loaded.notes
    assert store.save("again", new, loaded.state).error is None


def test_removed_item_refuses_and_names_it(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key"]))
    before = folder_snapshot(store.folder)
    story = TINY_STORY.replace("items:\n  key:\n    name: Brass key\n    description: It opens the cellar.\n", "")
    act = (TINY_ACT.replace("        do: {give: key, set: brave}\n", "        do: {set: brave}\n")
           .replace("      - id: take_key\n        text: Take the key\n", "      - id: take_nothing\n"
                    "        text: Take nothing\n")
           .replace("        if: has key\n", "        if: brave\n"))
    with pytest.raises(SaveError, match="item 'key' no longer exists; the save file is kept as it was"):
        load(store, "s", edited(tmp_path, story=story, act=act))
    assert folder_snapshot(store.folder) == before


def test_removed_scene_refuses_and_names_it(tiny: Story, store: SaveStore, tmp_path: Path) -> None:
    store.save("s", tiny, engine.replay(tiny, ["take_key", "cellar"]))
    act = TINY_ACT.replace("goto: cellar", "goto: win").replace(
        "  cellar:\n    title: Cellar\n    text: It is dark.\n    ending: {kind: death, title: Eaten by a grue}\n", "")
    act = act.replace("      - id: cellar\n", "      - id: down\n")
    with pytest.raises(SaveError, match="scene 'cellar' no longer exists"):
        load(store, "s", edited(tmp_path, act=act))


def test_a_file_written_in_pieces_replaces_the_old_one_only_when_every_piece_is_written(tmp_path: Path) -> None:
    target = tmp_path / "entry.json"
    write_atomic(target, [b"old ", b"file"], durable=False)
    assert target.read_bytes() == b"old file"

    def failing() -> Iterator[bytes]:
        yield b"half a "
        raise TypeError("a value JSON cannot hold")

    with pytest.raises(TypeError):
        write_atomic(target, failing(), durable=False)
    assert target.read_bytes() == b"old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.json"]  # no temporary file left behind
