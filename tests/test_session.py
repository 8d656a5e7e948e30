"""The Session: undo that survives load and restart, unsaved moves, speedruns kept out of the
autosaves, and autosaves written off the caller's thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from game import engine
from game.engine import State
from game.saves import AutosaveWriter, SaveError, SaveInfo, SaveStore
from game.session import Session, rebuild_history
from game.story import Story, load_story
from tests.conftest import TINY_ACT, write_story

MOVES = ["flatter", "take_key", "flatter"]


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    return SaveStore(tmp_path / "saves")


def played(story: Story, store: SaveStore | None, moves: list[str] = MOVES, autosave: bool = True,
           writer: AutosaveWriter | None = None) -> Session:
    session = Session(story, store, clock=lambda: 0.0, autosave=autosave, writer=writer)
    for choice_id in moves:
        session.choose(choice_id)
    return session


def test_undo_after_load_walks_back_through_the_saved_choices(tiny: Story, store: SaveStore) -> None:
    played(tiny, store).save("mine")
    session = Session(tiny, store, clock=lambda: 0.0)
    session.load("mine")
    assert session.can_undo
    for moves in (2, 1, 0):
        assert session.undo() and list(session.state.path) == MOVES[:moves]
    assert session.state == engine.new_game(tiny) and not session.undo()


def test_undo_after_quickload_and_continue(tiny: Story, store: SaveStore) -> None:
    first = played(tiny, store)
    first.quicksave()
    session = Session(tiny, store, clock=lambda: 0.0)
    session.load("quicksave")
    assert session.undo() and session.state.variables["trust"] == 1
    latest = store.latest_autosave(tiny)
    assert latest is not None
    session.load(latest.slot)
    assert len(session.history) == len(MOVES) + 1


def test_a_save_whose_path_no_longer_replays_loads_without_undo(tiny: Story, store: SaveStore,
                                                                tmp_path: Path) -> None:
    played(tiny, store).save("mine")
    act = TINY_ACT.replace("      - id: flatter\n        text: Flatter the butler\n        goto: hall\n"
                           "        do: {add: {trust: 1}}\n", "")
    edited = load_story(write_story(tmp_path / "edited", acts={"one.yaml": act}))
    session = Session(edited, store, clock=lambda: 0.0)
    loaded = session.load("mine")
    assert "no longer replay" in loaded.notes[0]
    assert session.history == [loaded.state] and not session.can_undo


def test_a_session_started_from_a_state_can_undo_its_choices(tiny: Story) -> None:
    session = Session(tiny, None, engine.replay(tiny, MOVES), clock=lambda: 0.0)
    assert len(session.history) == len(MOVES) + 1 and session.undo()
    assert list(session.state.path) == MOVES[:-1]


def test_rebuilt_history_keeps_the_saved_state_itself(tiny: Story) -> None:
    state = engine.replay(tiny, MOVES).with_elapsed(99.0)
    history = rebuild_history(tiny, state)
    assert history[-1] is state and [len(s.path) for s in history] == [0, 1, 2, 3]
    altered = state.__class__(state.scene, frozenset(), state.variables, state.visits, state.path, 99.0)
    assert rebuild_history(tiny, altered) == [altered]


def test_restart_can_be_undone_and_the_time_before_it_comes_back(tiny: Story) -> None:
    now = [0.0]
    session = Session(tiny, None, clock=lambda: now[0])
    for choice_id in MOVES:
        now[0] += 10
        session.choose(choice_id)
    before = session.state
    session.restart()
    assert session.state.moves == 0 and session.state.elapsed == 0 and session.can_undo
    now[0] += 5
    assert session.undo() and session.state == before.with_elapsed(35.0)


def test_unsaved_is_true_only_after_moves_since_the_last_save_or_load(tiny: Story, store: SaveStore) -> None:
    session = Session(tiny, store, clock=lambda: 0.0)
    assert not session.unsaved
    session.choose("flatter")
    assert session.unsaved
    session.save("mine")
    assert not session.unsaved
    session.choose("flatter")
    session.quicksave()
    assert not session.unsaved
    session.undo()
    assert session.unsaved
    session.load("mine")
    assert not session.unsaved


def test_a_speedrun_session_never_touches_the_autosaves(tiny: Story, store: SaveStore) -> None:
    session = played(tiny, store, autosave=False)
    assert session.state.moves == 3
    assert store.latest_autosave(tiny) is None and store.list(tiny) == []
    session.choose("cellar")
    assert list(store.endings_found(tiny)) == ["cellar"]


def test_autosaves_through_a_writer_land_in_order(tiny: Story, store: SaveStore) -> None:
    writer = AutosaveWriter(store)
    session = played(tiny, store, ["flatter"] * 12, writer=writer)
    assert session.flush(timeout=30)
    latest = store.latest_autosave(tiny)
    assert latest is not None and (latest.moves, latest.sequence) == (12, 12)
    assert sorted(i.moves for i in store.list(tiny)) == [8, 9, 10, 11, 12]


def test_a_failed_background_autosave_is_reported(tiny: Story, store: SaveStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    reported: list[str] = []
    called = threading.Event()

    def fail(story: Story, state: object) -> None:
        raise SaveError("could not save autosave-1.json: the disk is full; the previous save is untouched")

    def report(exc: SaveError) -> None:
        reported.append(str(exc))
        called.set()

    monkeypatch.setattr(store, "autosave", fail)
    writer = AutosaveWriter(store, on_error=report)
    session = played(tiny, store, ["flatter"], writer=writer)
    assert session.flush(timeout=30) and called.wait(30)
    assert reported == ["could not save autosave-1.json: the disk is full; the previous save is untouched"]
    assert session.choose("flatter") == [f"Autosave failed: {reported[0]}"]


def test_the_writer_survives_an_unexpected_error(tiny: Story, store: SaveStore,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = store.autosave
    calls = []

    def flaky(story: Story, state: State) -> SaveInfo:
        calls.append(state)
        if len(calls) == 1:
            raise KeyError("a bug")
        return real(story, state)

    monkeypatch.setattr(store, "autosave", flaky)
    writer = AutosaveWriter(store)
    session = Session(tiny, store, clock=lambda: 0.0, writer=writer)
    # the failure reaches the player with the next choice if the writer has met it by then, else later
    told = [message for move in ("flatter", "flatter") for message in session.choose(move)]
    assert session.flush(timeout=30)
    told += [f"Autosave failed: {failure}" for failure in writer.take_failures()]
    assert told == ["Autosave failed: autosave failed: KeyError('a bug')"]
    latest = store.latest_autosave(tiny)
    assert latest is not None and latest.moves == 2


def test_load_waits_for_pending_autosaves(tiny: Story, store: SaveStore) -> None:
    writer = AutosaveWriter(store)
    session = played(tiny, store, ["flatter"] * 4, writer=writer)
    session.load("autosave-4")
    assert session.state.moves == 4
