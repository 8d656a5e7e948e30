"""Speedruns: par (the fewest moves to the canonical ending), splits at each act, personal bests.

A run is timed by the same play clock as any game (it stops on menus) and split each time play
crosses into a new act. Personal bests and the best time for each act are kept beside the saves
in ``speedrun.json``, written crash-safely like a save.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from game import engine
from game.display import clock_text, delta_text
from game.engine import State
from game.saves import MAX_SAVE_BYTES, write_atomic
from game.story.model import Story

RECORDS_FILE = "speedrun.json"


@dataclass(frozen=True)
class Split:
    """An act finished: the moves and seconds of the whole run when play left it."""

    act: str
    moves: int
    seconds: float


@dataclass(frozen=True)
class Result:
    ending: str
    moves: int
    seconds: float
    splits: tuple[Split, ...]

    def to_json(self) -> dict[str, object]:
        """Splits as the ``speedrun --json`` output shows them: each act's own moves and seconds."""
        segments = []
        moves, seconds = 0, 0.0
        for split in self.splits:
            segments.append({"act": split.act, "moves": split.moves - moves,
                             "seconds": round(split.seconds - seconds, 6)})
            moves, seconds = split.moves, split.seconds
        return {"ending": self.ending, "moves": self.moves, "seconds": round(self.seconds, 6), "splits": segments}


def canonical_ending(story: Story) -> str | None:
    return next((s.id for s in story.endings if s.ending is not None and s.ending.kind == "canonical"), None)


def par_route(story: Story) -> list[str] | None:
    """The shortest list of choices from the start to the canonical ending."""
    from game import analysis

    ending = canonical_ending(story)
    return analysis.explore(story).routes.get(ending) if ending else None


class SplitTimer:
    """Watches a run's states and records a split whenever play leaves an act (and at the end)."""

    def __init__(self, story: Story, start: State) -> None:
        self.story = story
        self.act = story.scenes[start.scene].act
        self.splits: list[Split] = []

    def observe(self, state: State) -> Split | None:
        """Call after each move; returns the split just completed, if any."""
        scene = self.story.scenes[state.scene]
        split = None
        if scene.act != self.act:
            split = Split(self.act, state.moves, state.elapsed)
            self.splits.append(split)
            self.act = scene.act
        if scene.ending is not None:
            split = Split(self.act, state.moves, state.elapsed)
            self.splits.append(split)
        return split


def run_headless(story: Story, route: list[str], clock: Callable[[], float] = time.perf_counter) -> Result:
    """Play ``route`` through the engine, timing each move with ``clock``."""
    state = engine.new_game(story)
    timer = SplitTimer(story, state)
    started = clock()
    for choice_id in route:
        state = engine.choose(story, state, choice_id).with_elapsed(clock() - started)
        timer.observe(state)
    return Result(state.scene, state.moves, state.elapsed, tuple(timer.splits))


@dataclass(frozen=True)
class Best:
    seconds: float
    moves: int
    splits: tuple[Split, ...]
    segments: dict[str, float]
    """The fastest time ever for each act on its own (best splits), across all finished runs."""


class Records:
    """Personal bests per story, kept in ``speedrun.json`` beside the saves."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / RECORDS_FILE

    def _all(self) -> dict:
        try:
            data = json.loads(self.path.read_bytes()[:MAX_SAVE_BYTES])
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def best(self, story: Story) -> Best | None:
        entry = self._all().get(story.id)
        try:
            splits = tuple(Split(str(s["act"]), int(s["moves"]), float(s["seconds"])) for s in entry["splits"])
            segments = {str(k): float(v) for k, v in entry["segments"].items()}
            return Best(float(entry["seconds"]), int(entry["moves"]), splits, segments)
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    def submit(self, story: Story, result: Result) -> bool:
        """Record a finished run; True when it is a new personal best. Raises SaveError on write failure."""
        previous = self.best(story)
        segments = dict(previous.segments) if previous else {}
        last = 0.0
        for split in result.splits:
            length = split.seconds - last
            last = split.seconds
            if split.act not in segments or length < segments[split.act]:
                segments[split.act] = length
        is_best = previous is None or result.seconds < previous.seconds
        best = Best(result.seconds, result.moves, result.splits, segments) if is_best else \
            Best(previous.seconds, previous.moves, previous.splits, segments)  # type: ignore[union-attr]
        everything = self._all()
        everything[story.id] = {"seconds": best.seconds, "moves": best.moves,
                                "splits": [asdict(s) for s in best.splits], "segments": best.segments}
        write_atomic(self.path, json.dumps(everything, indent=1).encode("utf-8"))
        return is_best


class Run:
    """A speedrun in progress, as a front end drives it: splits, comparison with the best, the finish."""

    def __init__(self, story: Story, start: State, records: Records) -> None:
        self.story = story
        self.records = records
        self.best = records.best(story)
        self.timer = SplitTimer(story, start)
        self.finished: Result | None = None
        self.summary = ""
        """How the run ended, in a sentence, once it has."""

    def compare(self, split: Split) -> str:
        """'Bratislava 1:02.3 (−0.8)': the split and how it stands against the personal best."""
        title = self.story.act(split.act).title
        best = next((b for b in self.best.splits if b.act == split.act), None) if self.best else None
        versus = f" ({delta_text(split.seconds - best.seconds)})" if best else ""
        return f"{title} {clock_text(split.seconds)}{versus}"

    def after_move(self, state: State) -> list[str]:
        """Messages for the player after a move: a split when an act ends, the result at the end."""
        split = self.timer.observe(state)
        messages = [f"Split: {self.compare(split)}"] if split is not None else []
        ending = self.story.scenes[state.scene].ending
        if ending is not None:
            self.summary = self.finish(state)
            messages.append(self.summary)
        return messages

    def finish(self, state: State) -> str:
        if self.story.scenes[state.scene].ending.kind != "canonical":  # type: ignore[union-attr]
            return "Run over: that is not the canonical ending."
        self.finished = Result(state.scene, state.moves, state.elapsed, tuple(self.timer.splits))
        new_best = self.records.submit(self.story, self.finished)
        if new_best:
            return f"Finished in {clock_text(state.elapsed)}, {state.moves} moves: a new personal best!"
        assert self.best is not None
        return (f"Finished in {clock_text(state.elapsed)}, {state.moves} moves "
                f"({delta_text(state.elapsed - self.best.seconds)} on your best, {clock_text(self.best.seconds)}).")
