"""The condition language parses safely and reports the column of each mistake."""

from __future__ import annotations

import pytest

from game.story import conditions
from game.story.conditions import ConditionError, Names

NAMES = Names(items={"key": 1}, variables={"brave": False, "trust": 0}, scenes={"hall": 1})


def problems(source: str) -> list[tuple[int, str]]:
    try:
        tree = conditions.parse(source)
    except ConditionError as exc:
        return [(exc.pos, exc.message)]
    return [(e.pos, e.message) for e in conditions.check(tree, NAMES)]


@pytest.mark.parametrize("source", [
    "has key", "brave", "not brave", "trust >= 2", "trust == 0 and brave", "visited hall",
    "visits hall >= 2", "(has key or brave) and not visited hall", "brave == false", "trust < visits hall",
])
def test_valid_conditions_have_no_problems(source: str) -> None:
    assert problems(source) == []


@pytest.mark.parametrize("source, expected", [
    ("", (0, "condition is empty")),
    ("has", (3, "expected an item after 'has', found the end")),
    ("trust >=", (8, "expected a name or a number, found the end")),
    ("(brave", (6, "missing ')'")),
    ("brave brave", (6, "unexpected 'brave' (expected 'and', 'or' or the end)")),
    ("trust", (0, "'trust' is an integer; compare it, for example 'trust >= 1'")),
    ("key", (0, "'key' is an item; write 'has key'")),
    ("has lamp", (4, "unknown item 'lamp'")),
    ("visited hal", (0, "unknown scene 'hal' (did you mean 'hall'?)")),
    ("brave > true", (6, "flags can only be compared with == or !=, not >")),
    ("trust == true", (6, "cannot compare integer variable 'trust' with the flag value true")),
    ("import os", (7, "unexpected 'os' (expected 'and', 'or' or the end)")),
    ("__import__('os')", (10, "unexpected '(' (expected 'and', 'or' or the end)")),
    ("3", (0, "'3' must be compared with something")),
])
def test_bad_conditions_are_reported_at_their_column(source: str, expected: tuple[int, str]) -> None:
    assert problems(source)[0] == expected
