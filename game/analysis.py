"""Exploring a story's state space with the player's own rules.

Reachability, softlocks, dead ends, choices that never open and shortest routes all come from
one breadth-first search over states, where a state is keyed by everything the rules can still
see from where it stands: the scene, and the items, variables and visit counts that some
condition in that scene or after it reads. The moves taken and the play time are left out of the
key, since no rule reads them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

from game import engine
from game.engine import State
from game.story.model import Story

DEFAULT_LIMIT = 250_000
"""States explored before the search stops and reports what it covered."""


@dataclass
class Exploration:
    """What a breadth-first search of the story found."""

    states: int = 0
    truncated: bool = False
    scenes: set[str] = field(default_factory=set)
    """Scenes some play can reach."""
    opened: set[tuple[str, str]] = field(default_factory=set)
    """(scene id, choice id) pairs that are open in at least one reachable state."""
    softlocks: dict[str, State] = field(default_factory=dict)
    """Scene id → a reachable state there that is not an ending and has no open choice."""
    stuck: dict[str, State] = field(default_factory=dict)
    """Scene id → a reachable state there from which no ending can be reached."""
    routes: dict[str, list[str]] = field(default_factory=dict)
    """Ending scene id → the shortest list of choice ids that reaches it."""


@dataclass(frozen=True)
class Live:
    """What a state can still be told apart by, in one scene: names some later condition reads."""

    items: frozenset[str]
    variables: tuple[str, ...]
    visits: tuple[str, ...]


def live_names(story: Story) -> dict[str, Live]:
    """For each scene, the items, variables and visit counts that a condition in it or after it reads.

    Two states in the same scene that agree on these have the same future, so the search keys
    states by them alone. Without this, every harmless difference earlier in the story (a counter
    nobody reads again) would multiply the states to explore.
    """
    reads: dict[str, set[tuple[str, str]]] = {}
    for scene in story.scenes.values():
        here: set[tuple[str, str]] = set()
        for choice in scene.choices:
            if choice.condition is not None:
                here.update(choice.condition.reads())
        reads[scene.id] = here
    live = {sid: set(names) for sid, names in reads.items()}
    changed = True
    while changed:
        changed = False
        for scene in story.scenes.values():
            mine = live[scene.id]
            before = len(mine)
            for choice in scene.choices:
                mine |= live[choice.target]
            changed |= len(mine) != before
    return {sid: Live(frozenset(n for k, n in names if k == "item"),
                      tuple(sorted(n for k, n in names if k == "variable")),
                      tuple(sorted(n for k, n in names if k == "scene")))
            for sid, names in live.items()}


def state_key(state: State, live: dict[str, Live]) -> Hashable:
    """The parts of ``state`` that can still change what happens."""
    names = live[state.scene]
    variables = state.variables
    visits = state.visits
    return (state.scene, state.inventory & names.items, tuple(variables[v] for v in names.variables),
            tuple(visits.get(s, 0) for s in names.visits))


def explore(story: Story, limit: int = DEFAULT_LIMIT, start: State | None = None) -> Exploration:
    """Search every state reachable from ``start`` (default: a new game), up to ``limit`` states."""
    live = live_names(story)
    first = start if start is not None else engine.new_game(story)
    first_key = state_key(first, live)
    seen: dict[Hashable, State] = {first_key: first}
    edges: dict[Hashable, list[Hashable]] = {}
    queue = deque([first_key])
    result = Exploration()
    endings: list[Hashable] = []
    while queue:
        key = queue.popleft()
        state = seen[key]
        scene = story.scenes[state.scene]
        result.scenes.add(scene.id)
        if scene.ending is not None:
            result.routes.setdefault(scene.id, list(state.path))
            endings.append(key)
            continue
        targets = edges.setdefault(key, [])
        for choice in engine.open_choices(story, state):
            result.opened.add((scene.id, choice.id))
            following = engine.choose(story, state, choice.id)
            following_key = state_key(following, live)
            targets.append(following_key)
            if following_key not in seen:
                if len(seen) >= limit:
                    result.truncated = True
                    continue
                seen[following_key] = following
                queue.append(following_key)
        if not targets:
            result.softlocks.setdefault(scene.id, state)
    result.states = len(seen)
    if not result.truncated:
        can_finish = _reaching(endings, edges)
        for key, state in seen.items():
            if key not in can_finish and key in edges and edges[key]:
                result.stuck.setdefault(state.scene, state)
    return result


def _reaching(goals: list[Hashable], edges: dict[Hashable, list[Hashable]]) -> set[Hashable]:
    """Every state from which one of ``goals`` can be reached."""
    backwards: dict[Hashable, list[Hashable]] = {}
    for source, targets in edges.items():
        for target in targets:
            backwards.setdefault(target, []).append(source)
    found = set(goals)
    queue = deque(goals)
    while queue:
        for source in backwards.get(queue.popleft(), ()):
            if source not in found:
                found.add(source)
                queue.append(source)
    return found


def shortest_route(story: Story, ending: str, limit: int = DEFAULT_LIMIT) -> list[str] | None:
    """The fewest choice ids from the start to the ending scene ``ending``, or None if none exists.

    Among routes of equal length it returns the one that takes the writer's earlier choices first,
    so the answer is stable.
    """
    return explore(story, limit).routes.get(ending)
