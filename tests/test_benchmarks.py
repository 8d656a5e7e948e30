"""The benchmark script keeps working (quick mode, small sizes); no timing is asserted here.

Timings on a shared machine are noise for a test; what must not rot is that every figure of the
goals table is still measured, and that the pieces the figures rest on (the screen model that says
when a frame is finished, the growth exponent) still compute what they claim.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

run = pytest.importorskip("benchmarks.run", reason="the benchmarks use POSIX pseudo-terminals")
terminal = pytest.importorskip("benchmarks.terminal")

GROWTH_KEYS = {"load_time_exponent", "load_memory_exponent"}


def expected_keys() -> set[str]:
    keys = set(run.GOALS) - GROWTH_KEYS
    if not (ROOT / "game" / "render.py").exists():
        keys.discard("render_scene_us")
    return keys


def test_quick_run_reports_every_figure_of_the_goals_table_with_its_reference() -> None:
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--json"], capture_output=True,
                            text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == expected_keys()
    for key, figure in data.items():
        assert figure["value"] > 0 and figure["reference"] > 0, key
        assert figure["low"] <= figure["value"] <= figure["high"] or figure["runs"] < 3, key
        assert figure["goal"] == f"{run.GOALS[key].sign} {run.GOALS[key].bound:g}"
        assert isinstance(figure["met"], bool)


def test_quick_growth_run_reports_both_exponents() -> None:
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--growth", "--quick", "--json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [row["scenes"] for row in data["rows"]] == sorted(row["scenes"] for row in data["rows"])
    assert len(data["rows"]) == 2 and all(row["seconds"] > 0 and row["kib"] > 0 for row in data["rows"])
    assert set(data) >= GROWTH_KEYS
    assert all(isinstance(data[key]["value"], float) for key in GROWTH_KEYS)


def test_growth_exponent_is_the_slope_on_a_log_log_scale() -> None:
    assert run.exponent([1_000, 10_000, 100_000], [1.0, 10.0, 100.0]) == pytest.approx(1.0)
    assert run.exponent([1_000, 10_000, 100_000], [1.0, 100.0, 10_000.0]) == pytest.approx(2.0)


def test_a_frame_is_finished_only_when_every_cell_has_been_written() -> None:
    cells = terminal.Cells()
    cells.feed("\x1b[?1049h\x1b[1;1H\x1b[38;5;178m" + "x" * 80 + "\x1b[0m")
    for row in range(2, 25):
        cells.feed(f"\x1b[{row};1H" + " " * 40)
    assert not cells.full
    cells.feed("\x1b[24;4")  # a sequence cut in two, then text that is not ASCII
    cells.feed("1H" + "—" * 39)
    for row in range(2, 24):
        cells.feed(f"\x1b[{row};41H" + "y" * 40)
    assert not cells.full  # the last cell of the bottom row is still missing
    cells.feed("\x1b[24;80Hz")
    assert cells.full
