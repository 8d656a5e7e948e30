"""Seeded random playthroughs that seek out the least-taken choices, like ChoiceScript's randomtest.

Each playthrough starts a new game and, at every step, takes one of the open choices that has
been taken least often so far (ties broken by the seeded generator), so that a few hundred runs
cover far more of the story than uniform chance would. Crashes, softlocks and plays that never
end are reported with the moves that reproduce them.
"""

from __future__ import annotations

import random
import traceback
from collections import Counter
from dataclasses import dataclass, field

from game import engine
from game.story.model import Story

MAX_MOVES = 5_000
"""A playthrough longer than this is reported as one that never ends."""


@dataclass
class Failure:
    kind: str
    """'crash', 'softlock' or 'endless'."""
    scene: str
    """Where the playthrough failed; failures of one kind in one scene share a cause."""
    detail: str
    choices: list[str]


@dataclass
class Report:
    runs: int
    seed: int
    scenes_seen: set[str] = field(default_factory=set)
    choices_taken: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(scene id, choice id) → how often random play took it."""
    endings: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    log: list[list[str]] = field(default_factory=list)
    """The choice ids of every playthrough, in order: the same seed always gives the same log."""

    def grouped_failures(self) -> list[tuple[Failure, int]]:
        """One failure per kind and scene (the one with the fewest moves, the quickest to replay),
        with how many playthroughs failed that way: a softlock met 24 times is one problem."""
        groups: dict[tuple[str, str], list[Failure]] = {}
        for failure in self.failures:
            groups.setdefault((failure.kind, failure.scene), []).append(failure)
        return [(min(group, key=lambda f: len(f.choices)), len(group)) for group in groups.values()]


def play_randomly(story: Story, runs: int, seed: int, max_moves: int = MAX_MOVES) -> Report:
    """Play ``runs`` seeded playthroughs and report coverage and failures."""
    chance = random.Random(seed)
    report = Report(runs, seed)
    for _ in range(runs):
        state = engine.new_game(story)
        report.scenes_seen.add(state.scene)
        taken: list[str] = []
        failure = None
        try:
            while options := engine.open_choices(story, state):  # none: an ending, or a softlock
                if len(taken) >= max_moves:
                    failure = Failure("endless", state.scene, f"no ending after {max_moves} moves (last scene "
                                      f"'{state.scene}')", taken)
                    break
                fewest = min(report.choices_taken[(state.scene, c.id)] for c in options)
                choice = chance.choice([c for c in options if report.choices_taken[(state.scene, c.id)] == fewest])
                report.choices_taken[(state.scene, choice.id)] += 1
                taken.append(choice.id)
                state = engine.take(story, state, choice)  # just listed for this state: no need to look it up
                report.scenes_seen.add(state.scene)
            if failure is None and engine.ending_of(story, state) is None:
                failure = Failure("softlock", state.scene, f"no open choice in scene '{state.scene}'", taken)
        except Exception as exc:
            failure = Failure("crash", state.scene, "".join(traceback.format_exception_only(exc)).strip(), taken)
        if failure is None:
            report.endings[state.scene] += 1
        else:
            report.failures.append(failure)
        report.log.append(taken)
    return report
