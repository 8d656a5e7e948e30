"""Screenshots of each screen, compared with the approved SVGs in tests/__snapshots__.

They play ``KEYS_STORY`` (tests/tui_builder.py), so they change when the look changes, not when a
writer edits the bundled story. After an intended change to the look, run
``pytest tests/test_snapshots.py --snapshot-update`` and review the new images (pytest writes
snapshot_report.html when one differs). Snapshot tests are plain functions, as
pytest-textual-snapshot requires.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from game import engine
from game.saves import SaveStore
from game.story import Story, load_story
from game.tui.app import DaylightsApp, StartMode
from tests.tui_builder import build_app, write_keys_story

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Save times are shown in local time; pin it so the saves table looks the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def scenes(tmp_path: Path) -> Path:
    return write_keys_story(tmp_path / "scenes")


def app(tmp_path: Path, scenes: Path, start: StartMode | None = "new", load: str | None = None) -> DaylightsApp:
    return build_app(tmp_path / "saves", scenes=scenes, start=start, load=load)


def test_title_screen(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes, start=None), terminal_size=SIZE)


def test_title_screen_after_a_save_that_cannot_be_loaded(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes, start=None, load="nosuch"), terminal_size=SIZE)


def test_play_screen_with_long_prose_and_a_locked_choice(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), terminal_size=SIZE)


def test_play_screen_on_a_wide_terminal(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["1"], terminal_size=(140, 40))


def test_inventory_panel(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["1", "1", "i"], terminal_size=SIZE)


def test_dossier_panel_beside_long_prose(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["d"], terminal_size=SIZE)


def test_journal(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["1", "1", "j"], terminal_size=SIZE)


def test_saves_table(snap_compare, tmp_path: Path, scenes: Path) -> None:
    story: Story = load_story(scenes)
    store = SaveStore(tmp_path / "saves")
    store.save("Before the gate", story, engine.new_game(story).with_elapsed(75))
    store.save("[WIP] on the path", story, engine.replay(story, ["take_lamp"]).with_elapsed(3725))
    for name, second in (("Before the gate", "07"), ("[WIP] on the path", "42")):
        path = store.path(story, name)
        record = json.loads(path.read_text())
        record["saved_at"] = f"2026-11-20T21:15:{second}+00:00"
        path.write_text(json.dumps(record))
    assert snap_compare(app(tmp_path, scenes), press=["s"], terminal_size=SIZE)


def test_restart_confirmation(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["1", "ctrl+r"], terminal_size=SIZE)


def test_help(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["question_mark"], terminal_size=SIZE)


def test_ending_screen_with_the_ending_prose(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes), press=["2"], terminal_size=SIZE)


def test_speedrun_header(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes, start="speedrun"), press=["1"], terminal_size=SIZE)


def test_too_small_message(snap_compare, tmp_path: Path, scenes: Path) -> None:
    assert snap_compare(app(tmp_path, scenes, start=None), terminal_size=(60, 20))
