"""Screenshots of each screen at 80x24, compared with the approved SVGs in tests/__snapshots__.

After an intended change to the look, run ``pytest tests/test_snapshots.py --snapshot-update``
and review the new images (pytest writes snapshot_report.html when one differs).
Snapshot tests are plain functions, as pytest-textual-snapshot requires.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from game import engine
from game.saves import SaveStore
from game.story import Story
from tests.tui_builder import build_app

SIZE = (80, 24)
NEW_GAME = ["enter"]


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Save times are shown in local time; pin it so the saves table looks the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_title_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), terminal_size=SIZE)


def test_play_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), press=[*NEW_GAME, "1"], terminal_size=SIZE)


def test_play_screen_with_a_locked_choice(snap_compare, tmp_path: Path) -> None:
    keys = [*NEW_GAME, "1", "2", "1", "1", "1", "2", "1"]
    assert snap_compare(build_app(tmp_path), press=keys, terminal_size=SIZE)


def test_inventory_panel(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), press=[*NEW_GAME, "1", "1", "i"], terminal_size=SIZE)


def test_journal(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), press=[*NEW_GAME, "1", "1", "1", "j"], terminal_size=SIZE)


def test_saves_table(snap_compare, tmp_path: Path, bundled: Story) -> None:
    store = SaveStore(tmp_path)
    store.save("Before the jump", bundled, engine.new_game(bundled).with_elapsed(75))
    store.save("In Vienna", bundled, engine.replay(bundled, ["follow_004", "pocket_note"]).with_elapsed(3725))
    for name in ("Before the jump", "In Vienna"):
        path = tmp_path / f"{name}.json"
        record = json.loads(path.read_text())
        record["saved_at"] = "2026-11-20T21:15:00+00:00"
        path.write_text(json.dumps(record))
    assert snap_compare(build_app(tmp_path), press=[*NEW_GAME, "s"], terminal_size=SIZE)


def test_help(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), press=[*NEW_GAME, "question_mark"], terminal_size=SIZE)


def test_ending_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), press=[*NEW_GAME, "2", "2"], terminal_size=SIZE)


def test_too_small_message(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build_app(tmp_path), terminal_size=(60, 20))
