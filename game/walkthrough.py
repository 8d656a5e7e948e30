"""Walkthroughs: a list of choice ids (and the ending they should reach) kept as YAML data.

A walkthrough survives edits to prose because it names choices by id. Replaying one is the
speedrun test, the canonical-path test and the way a failing random playthrough is reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from game import engine
from game.engine import ChoiceError, State
from game.story.model import Story
from game.story.problems import Loc, Problem, did_you_mean
from game.story.yamlfile import read_yaml_file

WALKTHROUGH_KEYS = ("ending", "choices", "description", "moves")


class WalkthroughError(Exception):
    """A walkthrough file that cannot be read; the message is one ``path:line:col: error:`` line."""


@dataclass(frozen=True)
class Walkthrough:
    choices: tuple[str, ...]
    ending: str | None
    """The ending scene id the walkthrough expects, if it names one."""
    path: str
    choice_locs: tuple[Loc, ...] = ()


@dataclass(frozen=True)
class WalkResult:
    states: tuple[State, ...]
    """The state before each move and the final one."""
    failure: str | None
    """Why the replay stopped or missed its ending; None when it succeeded."""

    @property
    def final(self) -> State:
        return self.states[-1]


def read_walkthrough(path: Path) -> Walkthrough:
    """Read a walkthrough file: a mapping with ``choices`` (list of ids) and optional ``ending``."""
    parsed = read_yaml_file(path)
    if parsed.problems:
        raise WalkthroughError(str(parsed.problems[0]))
    root = parsed.root
    assert root is not None
    if isinstance(root, yaml.SequenceNode):
        choices_node, ending = root, None
    elif isinstance(root, yaml.MappingNode):
        pairs = {k.value: (k, v) for k, v in root.value}
        for name, (key, _) in pairs.items():
            if name not in WALKTHROUGH_KEYS:
                raise WalkthroughError(str(Problem(parsed.loc(key), f"unknown key '{name}' in a walkthrough"
                                                   f"{did_you_mean(name, WALKTHROUGH_KEYS)}")))
        if "choices" not in pairs:
            raise WalkthroughError(str(Problem(parsed.loc(root), "walkthrough is missing 'choices'")))
        choices_node = pairs["choices"][1]
        ending_node = pairs.get("ending", (None, None))[1]
        ending = ending_node.value if isinstance(ending_node, yaml.ScalarNode) else None
    else:
        raise WalkthroughError(str(Problem(parsed.loc(root), "a walkthrough is a list of choice ids")))
    if not isinstance(choices_node, yaml.SequenceNode) or not all(
            isinstance(n, yaml.ScalarNode) for n in choices_node.value):
        raise WalkthroughError(str(Problem(parsed.loc(choices_node), "'choices' must be a list of choice ids")))
    return Walkthrough(tuple(n.value for n in choices_node.value), ending, str(path),
                       tuple(parsed.loc(n) for n in choices_node.value))


def write_walkthrough(path: Path, choices: list[str], ending: str | None, description: str = "") -> None:
    """Write a walkthrough file that ``read_walkthrough`` reads back."""
    data: dict[str, object] = {}
    if description:
        data["description"] = description
    if ending:
        data["ending"] = ending
    data["choices"] = list(choices)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def walk(story: Story, walkthrough: Walkthrough) -> WalkResult:
    """Replay ``walkthrough`` on ``story`` with the player's rules, stopping at the first bad move."""
    state = engine.new_game(story)
    states = [state]
    for index, choice_id in enumerate(walkthrough.choices):
        try:
            state = engine.choose(story, state, choice_id)
        except ChoiceError as exc:
            where = walkthrough.choice_locs[index] if index < len(walkthrough.choice_locs) else \
                Loc(walkthrough.path)
            return WalkResult(tuple(states), f"{where}: error: move {index + 1}: {exc}")
        states.append(state)
    ending = engine.ending_of(story, state)
    if ending is None:
        return WalkResult(tuple(states), f"{walkthrough.path}: error: the walkthrough ends in scene "
                          f"'{state.scene}', which is not an ending")
    if walkthrough.ending and walkthrough.ending != state.scene:
        return WalkResult(tuple(states), f"{walkthrough.path}: error: expected ending '{walkthrough.ending}' "
                          f"but reached '{state.scene}'")
    return WalkResult(tuple(states), None)
