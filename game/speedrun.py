"""Speedruns: par (the fewest moves to the canonical ending), splits at each act, personal bests.

A run is timed by the same play clock as any game (it stops on menus) and split each time play
crosses into a new act. Personal bests and the best time for each act are kept in the story's own
saves folder, in ``speedrun.json`` (a name no save can take), written crash-safely like a save and
decoded with every value range-checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from game import engine
from game.atomic import AtomicWriteError, read_bounded, write_atomic
from game.display import clock_text, count, delta_text
from game.engine import State
from game.saves import (
    MAX_ELAPSED,
    MAX_MOVES,
    MAX_NAMES,
    MAX_SAVE_BYTES,
    RECORDS,
    Ident,
    SaveError,
    SaveStore,
    has_control,
    keep_aside,
)
from game.story.model import Story

ActId = Annotated[str, msgspec.Meta(max_length=200)]
Moves = Annotated[int, msgspec.Meta(ge=0, le=MAX_MOVES)]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=MAX_ELAPSED)]


class Split(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An act finished: the moves and seconds of the whole run when play left it."""

    act: ActId
    moves: Moves
    seconds: Seconds


class Result(msgspec.Struct, frozen=True):
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


class Best(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    seconds: Seconds
    moves: Moves
    splits: Annotated[tuple[Split, ...], msgspec.Meta(max_length=MAX_NAMES)]
    segments: Annotated[dict[ActId, Seconds], msgspec.Meta(max_length=MAX_NAMES)]
    """The fastest time ever for each act on its own (best splits), across all finished runs."""


class RecordsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``speedrun.json`` in a story's folder: that story's personal best."""

    format: Literal[2]
    game: Literal["daylights"]
    story: Ident
    best: Best


class Records:
    """Personal bests of each story, kept in ``speedrun.json`` in the story's saves folder."""

    def __init__(self, folder: Path) -> None:
        self.store = SaveStore(folder)

    def path(self, story: Story) -> Path:
        return self.store.story_folder(story) / f"{RECORDS}.json"

    def read(self, story: Story) -> tuple[Best | None, str | None]:
        """The personal best (None if there is none yet), and why the file is damaged if it is."""
        try:
            data = read_bounded(self.path(story), MAX_SAVE_BYTES)
        except FileNotFoundError:
            return None, None
        except AtomicWriteError as exc:
            return None, f"the speedrun records are damaged: {exc}"
        return _decode(data, story)

    def best(self, story: Story) -> Best | None:
        return self.read(story)[0]

    def submit(self, story: Story, result: Result) -> bool:
        """Record a finished run; True when it is a new personal best. Raises SaveError on write failure.

        Damaged records are copied aside (``.speedrun-damaged-<time>.json``) before being replaced.
        """
        previous, problem = self.read(story)
        segments = dict(previous.segments) if previous else {}
        last = 0.0
        for split in result.splits:
            length = split.seconds - last
            last = split.seconds
            if split.act not in segments or length < segments[split.act]:
                segments[split.act] = length
        is_best = previous is None or result.seconds < previous.seconds
        best = Best(result.seconds, result.moves, result.splits, segments) if previous is None or is_best else \
            Best(previous.seconds, previous.moves, previous.splits, segments)
        data = msgspec.json.encode(RecordsFile(2, "daylights", story.id, best))
        refused = _decode(data, story)[1]
        if refused is not None:
            raise SaveError(f"cannot record this run, it would not read back ({refused})")
        if problem is not None:
            keep_aside(self.path(story))
        try:
            write_atomic(self.path(story), data)
        except AtomicWriteError as exc:
            raise SaveError(str(exc)) from None
        return is_best


def _decode(data: bytes, story: Story) -> tuple[Best | None, str | None]:
    """The personal best in a records file's bytes, or why they are damaged."""
    try:
        record = msgspec.json.decode(data, type=RecordsFile)
    except msgspec.ValidationError as exc:
        return None, f"the speedrun records are damaged: {' '.join(str(exc).split())[:200]}"
    except (ValueError, RecursionError):  # malformed JSON, or bytes that are not UTF-8
        return None, "the speedrun records are damaged: they are not valid JSON"
    if record.story != story.id:
        return None, f"the speedrun records belong to another story ('{record.story}')"
    if any(has_control(act) for act in (*record.best.segments, *(s.act for s in record.best.splits))):
        return None, "the speedrun records are damaged: they hold control characters"
    return record.best, None


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
        """The run's result in a sentence; a records file that cannot be written is said, not raised."""
        ending = self.story.scenes[state.scene].ending
        if ending is None or ending.kind != "canonical":
            return "Run over: that is not the canonical ending."
        self.finished = Result(state.scene, state.moves, state.elapsed, tuple(self.timer.splits))
        try:
            new_best = self.records.submit(self.story, self.finished)
        except SaveError as exc:
            return (f"Finished in {clock_text(state.elapsed)}, {count(state.moves, 'move')}; "
                    f"the time could not be recorded: {exc}")
        if new_best:
            return f"Finished in {clock_text(state.elapsed)}, {count(state.moves, 'move')}: a new personal best!"
        assert self.best is not None
        return (f"Finished in {clock_text(state.elapsed)}, {count(state.moves, 'move')} "
                f"({delta_text(state.elapsed - self.best.seconds)} on your best, {clock_text(self.best.seconds)}).")
