"""The benchmark script keeps working (quick mode, small sizes); no timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

KEYS = {"tui_first_paint_ratio", "bundled_load_ms", "check_bundled_s", "engine_choices_per_s",
        "gen_10k_load_check_s", "gen_100k_load_check_s", "gen_100k_peak_mb", "save_ms", "load_ms",
        "explore_bundled_s"}


def test_benchmark_script_runs_in_quick_mode_and_reports_every_key() -> None:
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--json"], capture_output=True,
                            text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == KEYS
    assert all(isinstance(v, (int, float)) and v > 0 for v in data.values())
