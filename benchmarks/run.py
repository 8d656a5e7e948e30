"""Daylights benchmarks: every measurement side by side in one run (see docs/PERFORMANCE.md).

    python benchmarks/run.py            # full run, prints a table
    python benchmarks/run.py --json     # one JSON object with the keys below
    python benchmarks/run.py --quick    # small sizes and few repeats (the smoke test uses this)
    python benchmarks/run.py --growth   # load+check time and memory from 1,000 to 100,000 scenes
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.terminal import PseudoTerminal  # noqa: E402
from game import analysis, engine  # noqa: E402
from game.bundled import bundled_scenes, canonical_walkthrough  # noqa: E402
from game.saves import SaveStore  # noqa: E402
from game.story import load_story  # noqa: E402
from game.walkthrough import read_walkthrough  # noqa: E402

GOALS = {
    "tui_first_paint_ratio": ("<=", 1.25), "bundled_load_ms": ("<=", 100), "check_bundled_s": ("<=", 1.0),
    "engine_choices_per_s": (">=", 100_000), "gen_10k_load_check_s": ("<=", 2), "gen_100k_load_check_s": ("<=", 20),
    "gen_100k_peak_mb": ("<=", 1000), "save_ms": ("<=", 10), "load_ms": ("<=", 10), "explore_bundled_s": ("<=", 2),
}

def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Hello, terminal")

Bare().run()
"""


def first_paint_seconds(command: list[str], marker: bytes, env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` in an 80x24 pseudo-terminal until ``marker`` is on its screen.

    This is the player's own view of start-up: the real program, the real terminal driver, and
    the moment the text of the first frame has been written to the terminal.
    """
    with PseudoTerminal(command, env, ROOT) as terminal:
        return terminal.wait_for(marker)


def tui_first_paint_ratio(repeats: int) -> float:
    """Median first paint of ``daylights play --new`` over that of a bare Textual app, runs interleaved.

    The game's bytecode is compiled first, as ``pip install`` does for an installed package (with
    PYTHONDONTWRITEBYTECODE set, as on this machine, every start would otherwise compile it again).
    """
    compileall.compile_dir(ROOT / "game", quiet=1)
    story = load_story(bundled_scenes())
    title = story.scenes[story.start].title.encode()
    with tempfile.TemporaryDirectory() as saves, tempfile.TemporaryDirectory() as cache:
        environment = {**env(), "TERM": "xterm-256color", "DAYLIGHTS_CACHE": cache}
        ours = [sys.executable, "-m", "game", "play", "--new", "--saves", saves]
        bare = [sys.executable, "-c", BARE_APP]
        first_paint_seconds(ours, title, environment)  # fills the story cache, as any earlier start would
        mine, theirs = [], []
        for _ in range(repeats):
            mine.append(first_paint_seconds(ours, title, environment))
            theirs.append(first_paint_seconds(bare, b"Hello, terminal", environment))
    return statistics.median(mine) / statistics.median(theirs)


def timed(function, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def process(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``python -m game ARGUMENTS``."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "game", *arguments], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env(), cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise RuntimeError(f"daylights {' '.join(arguments)} failed: {child.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def engine_choices_per_s(seconds: float) -> float:
    story = load_story(bundled_scenes())
    chance = random.Random(1)
    choices = 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        state = engine.new_game(story)
        while engine.ending_of(story, state) is None:
            state = engine.choose(story, state, chance.choice(engine.open_choices(story, state)).id)
            choices += 1
    return choices / (time.perf_counter() - started)


def save_and_load_ms(repeats: int) -> tuple[float, float]:
    story = load_story(bundled_scenes())
    moves = list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices)[:-2]
    state = engine.replay(story, moves).with_elapsed(3600.0)
    with tempfile.TemporaryDirectory() as folder:
        store = SaveStore(Path(folder))
        save = timed(lambda: store.save("late", story, state), repeats)
        load = timed(lambda: store.load("late", story), repeats)
    return save * 1000, load * 1000


def generated_load_check(scenes: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), scenes)
        return process(["check", folder])


def measure(quick: bool) -> dict[str, float]:
    repeats = 3 if quick else 7
    small, large = (1_000, 3_000) if quick else (10_000, 100_000)
    results: dict[str, float] = {}
    results["tui_first_paint_ratio"] = tui_first_paint_ratio(2 if quick else 7)
    results["bundled_load_ms"] = timed(lambda: load_story(bundled_scenes()), repeats) * 1000
    results["check_bundled_s"] = statistics.median(process(["check", "--strict"])[0] for _ in range(repeats))
    results["engine_choices_per_s"] = engine_choices_per_s(0.3 if quick else 3.0)
    results["gen_10k_load_check_s"] = generated_load_check(small)[0]
    results["gen_100k_load_check_s"], results["gen_100k_peak_mb"] = generated_load_check(large)
    results["save_ms"], results["load_ms"] = save_and_load_ms(5 if quick else 25)
    story = load_story(bundled_scenes())
    results["explore_bundled_s"] = timed(lambda: analysis.explore(story), repeats)
    return results


def growth() -> None:
    print(f"{'scenes':>8} {'load+check s':>13} {'peak MB':>8}")
    for scenes in (1_000, 3_000, 10_000, 30_000, 100_000):
        seconds, peak = generated_load_check(scenes)
        print(f"{scenes:>8,} {seconds:>13.2f} {peak:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Daylights benchmarks")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (1k/3k generated scenes)")
    parser.add_argument("--growth", action="store_true", help="load+check from 1,000 to 100,000 scenes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DAYLIGHTS_CACHE"] = cache  # the user's own story cache is never touched
        if args.growth:
            growth()
            return
        results = measure(args.quick)
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in results.items()}, indent=2))
        return
    print(f"{'measurement':<24} {'value':>12}  {'goal':>12}  met" + ("   (quick: 1k/3k scenes)" if args.quick else ""))
    for key, value in results.items():
        sign, goal = GOALS[key]
        met = value <= goal if sign == "<=" else value >= goal
        print(f"{key:<24} {value:>12,.3f}  {sign} {goal:>9,}  {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
