"""Speedrun records: kept per story, decoded with every value checked, never lost to damage."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.atomic import write_atomic
from game.saves import SaveError, SaveStore
from game.speedrun import Records, Result, Split
from game.story import Story, load_story
from tests.conftest import TINY_STORY, write_story
from tests.test_saves import JSON


def run(seconds: float, moves: int = 3) -> Result:
    return Result("win", moves, seconds, (Split("one", moves, seconds),))


def test_records_are_kept_per_story(tmp_path: Path, tiny: Story) -> None:
    other = load_story(write_story(tmp_path / "other", story=TINY_STORY.replace("id: tiny", "id: other")))
    records = Records(tmp_path / "saves")
    assert records.submit(tiny, run(10.0)) is True
    assert records.best(other) is None
    assert records.submit(other, run(20.0)) is True
    again = Records(tmp_path / "saves")
    best_tiny, best_other = again.best(tiny), again.best(other)
    assert best_tiny is not None and best_tiny.seconds == 10.0
    assert best_other is not None and best_other.seconds == 20.0
    assert (tmp_path / "saves" / "tiny" / "speedrun.json").is_file()


def test_a_slower_run_keeps_the_best_and_improves_act_bests(tmp_path: Path, tiny: Story) -> None:
    records = Records(tmp_path)
    assert records.submit(tiny, run(10.0))
    assert records.submit(tiny, run(12.0)) is False
    best = records.best(tiny)
    assert best is not None and best.seconds == 10.0 and best.segments == {"one": 10.0}


def test_damaged_records_are_reported_and_kept_aside_when_a_run_finishes(tmp_path: Path, tiny: Story) -> None:
    records = Records(tmp_path)
    path = records.path(tiny)
    write_atomic(path, b'{"format":2,"game":"daylights","story":"tiny","best":{"seconds":NaN}}')
    assert records.read(tiny) == (None, "the speedrun records are damaged: they are not valid JSON")
    assert records.submit(tiny, run(30.0)) is True
    kept = [p for p in path.parent.iterdir() if p.name.startswith(".speedrun-damaged-")]
    assert len(kept) == 1 and b"NaN" in kept[0].read_bytes()


def test_a_run_the_reader_would_refuse_is_not_written(tmp_path: Path, tiny: Story) -> None:
    records = Records(tmp_path)
    records.submit(tiny, run(10.0))
    before = records.path(tiny).read_bytes()
    with pytest.raises(SaveError, match="cannot record this run, it would not read back"):
        records.submit(tiny, run(5.0, moves=10**9))
    assert records.path(tiny).read_bytes() == before


def test_a_finished_run_whose_records_cannot_be_written_says_so(tmp_path: Path, tiny: Story) -> None:
    from game import engine
    from game.speedrun import Run

    folder = tmp_path / "saves"
    folder.mkdir()
    (folder / "tiny").write_text("a file where the story's folder should be")
    state = engine.new_game(tiny)
    timed = Run(tiny, state, Records(folder))
    for choice_id in ["take_key", "flatter", "flatter", "secret"]:
        state = engine.choose(tiny, state, choice_id)
        messages = timed.after_move(state)
    assert messages[-1].startswith("Finished in 0:00.0, 4 moves; the time could not be recorded: ")


def valid_records(tiny: Story) -> tuple[Records, dict[str, Any]]:
    records = Records(Path(tempfile.mkdtemp()))
    records.submit(tiny, run(10.0))
    return records, json.loads(records.path(tiny).read_text())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["format", "game", "story", "best", "best.seconds", "best.moves", "best.splits",
                              "best.segments", "best.segments.one", "extra"]), value=JSON)
def test_any_json_value_in_any_records_field_is_damage_never_a_crash(tiny: Story, field: str,
                                                                     value: object) -> None:
    records, record = valid_records(tiny)
    target: dict[str, Any] = record
    *parents, last = field.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    data = json.dumps(record, allow_nan=True).encode()
    records.path(tiny).write_bytes(data)
    best, problem = records.read(tiny)
    assert (best is None) != (problem is None)
    if best is not None:
        assert 0 <= best.seconds < 1e9 and all(0 <= s < 1e9 for s in best.segments.values())
    assert records.path(tiny).read_bytes() == data


def test_records_of_the_flat_layout_are_copied_into_the_story_folder(tmp_path: Path, tiny: Story) -> None:
    flat = {"tiny": {"seconds": 9.5, "moves": 4, "splits": [{"act": "one", "moves": 4, "seconds": 9.5}],
                     "segments": {"one": 9.5}}, "other": {"seconds": "garbage"}}
    (tmp_path / "speedrun.json").write_text(json.dumps(flat))
    best = Records(tmp_path).best(tiny)
    assert best is not None and (best.seconds, best.moves) == (9.5, 4)
    assert json.loads((tmp_path / "speedrun.json").read_text()) == flat
    assert SaveStore(tmp_path).story_folder(tiny) == tmp_path / "tiny"
