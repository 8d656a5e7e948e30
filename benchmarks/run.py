"""Daylights benchmarks: every figure a ratio to what this machine can do, measured in the same run.

    python benchmarks/run.py            # every figure, as a table (a few minutes)
    python benchmarks/run.py --json     # the same as one JSON object, one entry a figure
    python benchmarks/run.py --quick    # small stories and few repeats (the smoke test uses this)
    python benchmarks/run.py --growth   # how load time and memory grow from 1,000 to 100,000 scenes

Absolute times on a shared machine drift by a third from one minute to the next, so each figure
divides the game's time by a reference doing the floor of the same work (composing the same YAML,
a bare Textual app, a bare argparse program, a plain-dict game loop) timed in turn with it: ours,
the reference, ours, the reference... The figure is the ratio of the two medians; the spread is
the lowest and highest ratio of one run to its partner. Absolute values are kept for the record.
See docs/PERFORMANCE.md for what each figure means and what was done to meet its goal.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.terminal import PseudoTerminal  # noqa: E402
from game import engine  # noqa: E402
from game.bundled import bundled_scenes  # noqa: E402
from game.saves import SaveStore  # noqa: E402
from game.story import check_story, load_story  # noqa: E402
from game.story.model import Choice, Effects, Scene, Story  # noqa: E402


@dataclass(frozen=True)
class Goal:
    sign: str
    """'<=' or '>='."""
    bound: float
    reference: str
    """What the game is measured against (or, for an absolute figure, what it is)."""

    def met(self, value: float) -> bool:
        return value <= self.bound if self.sign == "<=" else value >= self.bound


GOALS: dict[str, Goal] = {
    "load_10k_vs_compose": Goal("<=", 1.3, "loading a generated 10k-scene story (no cache) ÷ reading the same files "
                                "and composing them with PyYAML's C loader, garbage collector off"),
    "load_100k_vs_compose": Goal("<=", 1.3, "the same at 100k scenes"),
    "check_100k_vs_compose": Goal("<=", 2.0, "the process `daylights check` (load + analysis) at 100k scenes ÷ a "
                                  "process reading and composing the same files"),
    "kib_per_scene_100k": Goal("<=", 2.0, "peak memory of that `check` above a bare interpreter's, KiB a scene"),
    "first_paint_cold_ratio": Goal("<=", 1.15, "`daylights play --new` on a first start (empty story cache) until "
                                   "its whole first frame is written ÷ a bare Textual app showing one Static"),
    "first_paint_ratio": Goal("<=", 1.10, "the same from the second start on (story cache filled)"),
    "help_vs_argparse": Goal("<=", 1.5, "`daylights --help` ÷ a bare argparse program's `--help`"),
    "check_bundled_vs_import_yaml": Goal("<=", 3.0, "`daylights check` on the bundled story (the story cache "
                                         "filled, as by any earlier start or check) ÷ `python -c 'import yaml'`"),
    "engine_vs_dict": Goal(">=", 1.0, "engine choices a second ÷ a plain-dict loop making a new state per choice"),
    "render_scene_us": Goal("<=", 50, "µs to render one scene of the bundled story to text (absolute)"),
    "autosave_ms_1000_saves": Goal("<=", 2.0, "ms for one autosave with 1,000 named saves in the folder "
                                   "(absolute; the reference is an empty folder)"),
    "load_time_exponent": Goal("<=", 1.05, "--growth: load time ∝ scenes^k from 1k to 100k scenes"),
    "load_memory_exponent": Goal("<=", 1.05, "--growth: peak load memory ∝ scenes^k from 1k to 100k scenes"),
}


@dataclass(frozen=True)
class Figure:
    """One measured figure: ``value`` (a ratio, or an absolute for the two absolute goals) and its spread."""

    value: float
    low: float
    high: float
    ours: float
    """The game's median, in ``unit``."""
    reference: float
    """The reference's median, in ``unit``."""
    unit: str
    runs: int
    scenes: int | None = None
    """The size of the generated story, for the figures that use one (smaller in --quick)."""


def ratio(ours: list[float], theirs: list[float], unit: str, scenes: int | None = None) -> Figure:
    """The ratio of the medians of paired samples, with the spread of the pairwise ratios."""
    pairs = [a / b for a, b in zip(ours, theirs, strict=True)]
    mine, reference = statistics.median(ours), statistics.median(theirs)
    return Figure(mine / reference, min(pairs), max(pairs), mine, reference, unit, len(pairs), scenes)


def interleaved(ours: Callable[[], float], reference: Callable[[], float],
                runs: int) -> tuple[list[float], list[float]]:
    """``runs`` samples of each, taken in turn, so that a change in the machine's speed hits both alike."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        mine.append(ours())
        theirs.append(reference())
    return mine, theirs


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def run_process(command: list[str], env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) of one run of ``command``, its output discarded; raises if it fails.

    CPU time rather than wall time: these commands wait for nothing but the processor, and on a
    shared machine the wall clock also counts the time spent queued behind other people's work.
    """
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env or environment(), cwd=ROOT)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {errors.decode()[-800:]}")
    return usage.ru_utime + usage.ru_stime


PEAK = """
import atexit, runpy, sys

def report(out=sys.argv[1]):
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(out, "w") as stream:
        stream.write(peak)

atexit.register(report)
sys.argv = sys.argv[2:]
if sys.argv[0] != "-":
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def peak_process(module: str, *arguments: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """CPU seconds and peak resident KiB of ``python -m MODULE ARGUMENTS`` (``-`` runs nothing).

    The peak is the process's own high-water mark, read from /proc as it exits: the operating
    system's ``ru_maxrss`` would also count the benchmark's own memory, which the child shares
    between fork and exec.
    """
    with tempfile.NamedTemporaryFile("r") as out:
        seconds = run_process(python("-c", PEAK, out.name, module, *arguments), env)
        return seconds, float(out.read())


def python(*arguments: str) -> list[str]:
    return [sys.executable, *arguments]


# -- start-up: whole processes -----------------------------------------------------------------

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Hello, terminal")

Bare().run()
"""

BARE_ARGPARSE = """
import argparse

parser = argparse.ArgumentParser(prog="bare", description="A bare argparse program.")
sub = parser.add_subparsers(dest="command", metavar="COMMAND")
sub.add_parser("run", help="run it")
parser.parse_args()
"""


def first_paint(command: list[str], marker: bytes, env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` in an 80x24 pseudo-terminal until its first frame is finished:
    ``marker`` is on the screen and every cell of the screen has been written."""
    with PseudoTerminal(command, env, ROOT) as terminal:
        return terminal.wait_for(marker, whole_frame=True)


def first_paint_figures(runs: int) -> dict[str, Figure]:
    """``daylights play --new`` against a bare Textual app, on a first start and on later ones.

    A first start gets an empty story cache of its own; later starts share one filled beforehand.
    """
    story = load_story(bundled_scenes())
    title = story.scenes[story.start].title.encode()
    bare = python("-c", BARE_APP)
    with tempfile.TemporaryDirectory() as work:
        saves, warm = Path(work, "saves"), Path(work, "warm")
        ours = python("-m", "game", "play", "--new", "--saves", str(saves))
        base = environment(TERM="xterm-256color")

        def cold() -> float:
            fresh = Path(tempfile.mkdtemp(dir=work))
            return first_paint(ours, title, {**base, "DAYLIGHTS_CACHE": str(fresh)})

        warm_env = {**base, "DAYLIGHTS_CACHE": str(warm)}
        first_paint(ours, title, warm_env)  # fills the warm cache, as any earlier start would
        bare_env = {**base, "DAYLIGHTS_CACHE": str(warm)}
        measured = {
            "first_paint_cold_ratio": interleaved(cold, lambda: first_paint(bare, b"Hello, terminal", bare_env), runs),
            "first_paint_ratio": interleaved(lambda: first_paint(ours, title, warm_env),
                                             lambda: first_paint(bare, b"Hello, terminal", bare_env), runs),
        }
    return {key: ratio(mine, theirs, "s") for key, (mine, theirs) in measured.items()}


def command_figures(help_runs: int, check_runs: int) -> dict[str, Figure]:
    """``daylights --help`` and ``daylights check`` against bare programs doing the floor of the same."""
    run_process(python("-m", "game", "check"))  # fills the story cache, as any earlier start or check would
    help_pair = interleaved(lambda: run_process(python("-m", "game", "--help")),
                            lambda: run_process(python("-c", BARE_ARGPARSE, "--help")), help_runs)
    check_pair = interleaved(lambda: run_process(python("-m", "game", "check")),
                             lambda: run_process(python("-c", "import yaml")), check_runs)
    return {"help_vs_argparse": ratio(*help_pair, "s"), "check_bundled_vs_import_yaml": ratio(*check_pair, "s")}


# -- loading and checking generated stories --------------------------------------------------------

COMPOSE = """
import gc, sys
from pathlib import Path
import yaml
gc.disable()
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.compose(path.read_bytes().decode("utf-8-sig"), Loader=yaml.CSafeLoader)
"""


def compose_floor(folder: Path) -> float:
    """CPU seconds to read every YAML file of ``folder`` and compose it with PyYAML's C loader, collector off:
    the least any loader built on PyYAML can do. Each file's nodes are dropped before the next is read."""
    import yaml

    started = time.process_time()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path in sorted(folder.glob("*.yaml")):
            yaml.compose(path.read_bytes().decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    finally:
        if was_enabled:
            gc.enable()
    return time.process_time() - started


def load_seconds(folder: Path) -> float:
    """CPU seconds to load and validate the story in ``folder``, never from the cache."""
    started = time.process_time()
    story, problems = check_story(folder)
    seconds = time.process_time() - started
    if story is None:
        raise RuntimeError(f"the generated story does not load: {problems[:3]}")
    del story
    gc.collect()
    return seconds


@contextmanager
def generated(scenes: int) -> Iterator[tuple[Path, int]]:
    with tempfile.TemporaryDirectory() as folder:
        count = generate(Path(folder), scenes)
        yield Path(folder), count


def load_figure(scenes: int, runs: int) -> Figure:
    with generated(scenes) as (folder, count):
        load_seconds(folder)  # a first, untimed load: the same files in the page cache for both
        return ratio(*interleaved(lambda: load_seconds(folder), lambda: compose_floor(folder), runs), "s", count)


def check_figures(scenes: int, runs: int) -> dict[str, Figure]:
    """The process ``daylights check DIR`` against a process composing the same files, and its peak memory.

    Each check starts with an empty story cache, as after an edit: it parses the story, plays it
    out and stores it in the cache, all of which is measured."""
    with generated(scenes) as (folder, count), tempfile.TemporaryDirectory() as caches:
        yaml_bytes = sum(path.stat().st_size for path in folder.glob("*.yaml"))
        checks: list[tuple[float, float]] = []
        composes: list[float] = []
        for _ in range(runs):
            fresh = environment(DAYLIGHTS_CACHE=tempfile.mkdtemp(dir=caches))
            checks.append(peak_process("game", "check", str(folder), env=fresh))
            composes.append(run_process(python("-c", COMPOSE, str(folder))))
    bare = statistics.median(peak_process("-")[1] for _ in range(3))
    above = [peak - bare for _, peak in checks]
    per_scene = [kib / count for kib in above]
    return {
        "check_100k_vs_compose": ratio([s for s, _ in checks], composes, "s", count),
        "kib_per_scene_100k": Figure(statistics.median(per_scene), min(per_scene), max(per_scene),
                                     statistics.median(above), yaml_bytes / 1024, "KiB (ours: above a bare "
                                     "interpreter; reference: the YAML's size)", len(per_scene), count),
    }


# -- the engine, rendering, saving ------------------------------------------------------------------

def play_with_engine(story: Story, playthroughs: int) -> int:
    """Seeded random playthroughs through the engine's own API, the way ``daylights test --random``
    plays (``game.randomplay``: list the open choices, take one of them) but picking uniformly, as
    the reference does; returns the choices taken."""
    chance = random.Random(1)
    taken = 0
    for _ in range(playthroughs):
        state = engine.new_game(story)
        while options := engine.open_choices(story, state):  # none: an ending (the bundled story has no softlock)
            state = engine.take(story, state, chance.choice(options))
            taken += 1
    return taken


DictState = dict[str, Any]


def _dict_test(tree: object) -> Callable[[DictState], bool]:
    """A condition over a plain-dict state, compiled to closures the way the engine compiles its own."""
    from game.story import conditions as c

    if isinstance(tree, c.Has):
        item = tree.item
        return lambda state: item in state["inventory"]
    if isinstance(tree, c.Name):
        name = tree.name
        return lambda state: state["variables"][name] is True
    if isinstance(tree, c.Not):
        inner = _dict_test(tree.operand)
        return lambda state: not inner(state)
    if isinstance(tree, (c.And, c.Or)):
        parts = tuple(_dict_test(t) for t in tree.operands)
        if isinstance(tree, c.And):
            return lambda state: all(part(state) for part in parts)
        return lambda state: any(part(state) for part in parts)
    assert isinstance(tree, c.Compare)
    compare = c._COMPARE[tree.op]
    left, right = _dict_operand(tree.left), _dict_operand(tree.right)
    return lambda state: bool(compare(left(state), right(state)))


def _dict_operand(operand: object) -> Callable[[DictState], Any]:
    from game.story import conditions as c

    if isinstance(operand, c.Literal):
        value = operand.value
        return lambda state: value
    if isinstance(operand, c.Visits):
        scene = operand.scene
        return lambda state: state["visits"].get(scene, 0)
    assert isinstance(operand, c.Name)
    name = operand.name
    return lambda state: state["variables"][name]


def _dict_apply(effects: Effects, state: DictState) -> None:
    if effects.give or effects.take:
        state["inventory"] = (state["inventory"] | frozenset(effects.give)) - frozenset(effects.take)
    if effects.set or effects.add:
        variables = state["variables"] = dict(state["variables"])
        for name, value in effects.set:
            variables[name] = value
        for name, delta in effects.add:
            variables[name] += delta
        for name, low, high in effects.bounds:
            variables[name] = min(max(variables[name], low), high)


def _dict_open(scene: Scene, state: DictState, tests: dict[int, Callable[[DictState], bool]]) -> list[Choice]:
    """The open choices, by the engine's rules: once-only choices taken are gone, fallbacks open alone."""
    if not scene.special_choices:
        return [c for c in scene.choices if c.condition is None or tests[id(c)](state)]
    available = [c for c in scene.choices if not (c.once and f"{scene.id}.{c.id}" in state["used"])]
    opened = [c for c in available if not c.fallback and (c.condition is None or tests[id(c)](state))]
    return opened or [c for c in available if c.fallback and (c.condition is None or tests[id(c)](state))]


def play_with_dicts(story: Story, playthroughs: int) -> int:
    """The reference: the same rules and the same seeded playthroughs with the state a plain dict, a new
    one per choice (variables and visits copied, the path a linked pair), no checks and no API."""
    tests: dict[int, Callable[[DictState], bool]] = {
        id(choice): _dict_test(choice.condition.tree)
        for scene in story.scenes.values() for choice in scene.choices if choice.condition is not None}
    scenes = story.scenes
    chance = random.Random(1)
    taken = 0
    for _ in range(playthroughs):
        start = scenes[story.start]
        state: DictState = {"scene": start.id, "inventory": frozenset(), "path": None, "visits": {start.id: 1},
                            "variables": {name: var.default for name, var in story.variables.items()},
                            "used": frozenset()}
        _dict_apply(start.on_enter, state)
        while (scene := scenes[state["scene"]]).ending is None:
            choice = chance.choice(_dict_open(scene, state, tests))
            target = scenes[choice.target]
            state = {**state, "scene": target.id, "path": (state["path"], choice.id),
                     "visits": {**state["visits"], target.id: state["visits"].get(target.id, 0) + 1}}
            if choice.once:
                state["used"] = state["used"] | {f"{scene.id}.{choice.id}"}
            _dict_apply(choice.effects, state)
            _dict_apply(target.on_enter, state)
            taken += 1
    return taken


def engine_figure(runs: int, playthroughs: int) -> Figure:
    """Both loops play with what was built before them frozen out of the collector's way, as the
    game plays once it has started (``gcpause.start_up_done``): otherwise each collection would also
    scan whatever the figures measured before this one left alive, which a player's process lacks."""
    story = load_story(bundled_scenes())
    choices = play_with_engine(story, playthroughs)
    if play_with_dicts(story, playthroughs) != choices:
        raise RuntimeError("the plain-dict reference no longer plays the same game as the engine")

    def rate(play: Callable[[Story, int], int]) -> float:
        started = time.process_time()
        play(story, playthroughs)
        return choices / (time.process_time() - started)

    gc.collect()
    gc.freeze()
    try:
        pair = interleaved(lambda: rate(play_with_engine), lambda: rate(play_with_dicts), runs)
    finally:
        gc.unfreeze()
    return ratio(*pair, "choices/s")


def render_figure(repeats: int) -> Figure | None:
    """Median µs to render a scene of the bundled story to text (its prose and the text of each of its
    choices, as the player reads them), over every scene; None while there is no ``game.render``."""
    try:
        from game import render
    except ImportError:
        return None
    story = load_story(bundled_scenes())
    state = engine.new_game(story)
    scenes = list(story.scenes.values())
    samples: list[float] = []
    for _ in range(repeats):
        started = time.process_time()
        for scene in scenes:
            render.scene_prose(scene, state)
            for choice in scene.choices:
                render.choice_text(choice, state)
        samples.append((time.process_time() - started) / len(scenes) * 1e6)
    middle = statistics.median(samples)
    return Figure(middle, min(samples), max(samples), middle, middle, "µs", repeats)


def autosave_figure(repeats: int, saves: int = 1_000) -> Figure:
    """One autosave with ``saves`` named saves in the story's folder, in turn with one in an empty folder.

    Each store autosaves once untimed first: a session's first autosave also sets the folder up.
    """
    from game.saves import encode_save

    story = load_story(bundled_scenes())
    state = engine.new_game(story)
    state = engine.choose(story, state, engine.open_choices(story, state)[0].id)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as full_folder, tempfile.TemporaryDirectory() as empty_folder:
        full, empty = SaveStore(Path(full_folder)), SaveStore(Path(empty_folder))
        full.save("slot-0", story, state)  # makes the story's folder
        for number in range(1, saves):
            slot = f"slot-{number}"
            full.path(story, slot).write_bytes(encode_save(slot, "named", story, state, 0, now))

        def autosave(store: SaveStore) -> float:
            started = time.perf_counter()
            store.autosave(story, state)
            return (time.perf_counter() - started) * 1000

        autosave(full)
        autosave(empty)
        mine, theirs = interleaved(lambda: autosave(full), lambda: autosave(empty), repeats)
    middle = statistics.median(mine)
    return Figure(middle, min(mine), max(mine), middle, statistics.median(theirs), "ms", repeats)


# -- the runs ---------------------------------------------------------------------------------------

def measure(quick: bool, only: set[str] | None = None) -> dict[str, Figure]:
    """Every figure, or only those named in ``only`` (and the figures measured with them)."""
    small, large = (1_000, 3_000) if quick else (10_000, 100_000)
    # The game's bytecode is compiled first, as `pip install` does for an installed package: with
    # PYTHONDONTWRITEBYTECODE set (as on this machine), every command would compile it again.
    compileall.compile_dir(ROOT / "game", quiet=1)

    def wanted(*keys: str) -> bool:
        return only is None or not only.isdisjoint(keys)

    figures: dict[str, Figure] = {}
    if wanted("first_paint_cold_ratio", "first_paint_ratio"):
        figures.update(first_paint_figures(2 if quick else 7))
    if wanted("help_vs_argparse", "check_bundled_vs_import_yaml"):
        # check on the bundled story takes seconds
        figures.update(command_figures(3 if quick else 11, 1 if quick else 5))
    if wanted("engine_vs_dict"):
        figures["engine_vs_dict"] = engine_figure(3 if quick else 7, 100 if quick else 2_000)
    rendered = render_figure(3 if quick else 25) if wanted("render_scene_us") else None
    if rendered is not None:
        figures["render_scene_us"] = rendered
    if wanted("autosave_ms_1000_saves"):
        figures["autosave_ms_1000_saves"] = autosave_figure(5 if quick else 25)
    if wanted("load_10k_vs_compose"):
        figures["load_10k_vs_compose"] = load_figure(small, 3 if quick else 5)
    if wanted("load_100k_vs_compose"):
        figures["load_100k_vs_compose"] = load_figure(large, 2 if quick else 3)
    if wanted("check_100k_vs_compose", "kib_per_scene_100k"):
        figures.update(check_figures(large, 1 if quick else 3))
    return {key: figures[key] for key in GOALS if key in figures}


GROWTH_CHILD = """
import json, sys, time
from game.story import check_story

def peak():
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))

base = peak()
started = time.process_time()
story, problems = check_story(sys.argv[1])
seconds = time.process_time() - started
assert story is not None, problems[:3]
print(json.dumps({"seconds": seconds, "kib": peak() - base}))
"""


def exponent(sizes: list[int], values: list[float]) -> float:
    """The least-squares slope of log(value) over log(size): k in value ∝ size^k."""
    xs, ys = [math.log(s) for s in sizes], [math.log(v) for v in values]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def growth(sizes: tuple[int, ...] = (1_000, 3_000, 10_000, 30_000, 100_000), runs: int = 3) -> dict[str, Any]:
    """Load time and peak load memory (above the same process before loading), each a fresh process."""
    rows: list[dict[str, float]] = []
    for size in sizes:
        with generated(size) as (folder, count):
            samples = [json.loads(subprocess.run(python("-c", GROWTH_CHILD, str(folder)), capture_output=True,
                                                 check=True, env=environment(), cwd=ROOT).stdout)
                       for _ in range(runs)]
        rows.append({"scenes": count, "seconds": statistics.median(s["seconds"] for s in samples),
                     "kib": statistics.median(s["kib"] for s in samples)})
    scenes = [int(row["scenes"]) for row in rows]
    return {"rows": rows,
            "load_time_exponent": exponent(scenes, [row["seconds"] for row in rows]),
            "load_memory_exponent": exponent(scenes, [row["kib"] for row in rows])}


def verdict(key: str, value: float) -> str:
    return "yes" if GOALS[key].met(value) else "NO"


def print_table(figures: dict[str, Figure], quick: bool) -> None:
    print(f"{'figure':<30} {'measured':>9} {'spread':>15} {'goal':>9}  met  {'ours':>10} {'reference':>10}  unit"
          + ("   (quick: small stories, few runs)" if quick else ""))
    for key, figure in figures.items():
        goal = GOALS[key]
        spread = f"{figure.low:.3g}–{figure.high:.3g}"
        print(f"{key:<30} {figure.value:>9.3g} {spread:>15} {goal.sign} {goal.bound:>6g}  "
              f"{verdict(key, figure.value):<4} {figure.ours:>10.4g} {figure.reference:>10.4g}  {figure.unit}"
              + (f", {figure.scenes:,} scenes" if figure.scenes else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description="Daylights benchmarks (see docs/PERFORMANCE.md)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="small stories, few repeats")
    parser.add_argument("--growth", action="store_true", help="load time and memory from 1,000 to 100,000 scenes")
    parser.add_argument("--only", metavar="KEY,...", type=lambda text: set(text.split(",")),
                        help="measure only these figures (keys as in --json)")
    args = parser.parse_args()
    unknown = (args.only or set()) - set(GOALS)
    if unknown:
        parser.error(f"no figure named {', '.join(sorted(unknown))}; the figures are {', '.join(GOALS)}")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DAYLIGHTS_CACHE"] = cache  # the user's own story cache is never touched
        if args.growth:
            compileall.compile_dir(ROOT / "game", quiet=1)
            grown = growth((1_000, 3_000) if args.quick else (1_000, 3_000, 10_000, 30_000, 100_000),
                           1 if args.quick else 3)
            if args.json:
                print(json.dumps({**grown, **{key: {"value": round(grown[key], 4), "goal": GOALS[key].bound,
                                                    "met": GOALS[key].met(grown[key])}
                                              for key in ("load_time_exponent", "load_memory_exponent")}}, indent=2))
                return
            print(f"{'scenes':>8} {'load s':>8} {'peak MiB':>9}")
            for row in grown["rows"]:
                print(f"{row['scenes']:>8,} {row['seconds']:>8.3f} {row['kib'] / 1024:>9.1f}")
            for key in ("load_time_exponent", "load_memory_exponent"):
                goal = GOALS[key]
                print(f"{key}: {grown[key]:.3f} (goal {goal.sign} {goal.bound}: {verdict(key, grown[key])})")
            return
        figures = measure(args.quick, args.only)
    if args.json:
        print(json.dumps({key: {**{k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(f).items()},
                                "goal": f"{GOALS[key].sign} {GOALS[key].bound:g}", "met": GOALS[key].met(f.value)}
                          for key, f in figures.items()}, indent=2, ensure_ascii=False))
        return
    print_table(figures, args.quick)


if __name__ == "__main__":
    main()
