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
from pathlib import Path

from game import engine
from game.engine import State
from game.story.model import Story
from game.story.problems import Loc, Problem

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


def saturation(story: Story) -> tuple[dict[str, int], dict[str, int]]:
    """Counters and visit counts that only grow and are only compared with numbers: the value past
    which every comparison gives the same answer. Capping them there keeps loops finite."""
    from game.story.conditions import Compare, Literal, Name, Visits, walk_tree

    counters = {v.id for v in story.variables.values() if not isinstance(v.default, bool)}
    visits = set(story.scenes)
    highest: dict[tuple[str, str], int] = {}
    for scene in story.scenes.values():
        for effects in (scene.on_enter, *(c.effects for c in scene.choices)):
            counters -= {name for name, delta in effects.add if delta < 0}
        for choice in scene.choices:
            if choice.condition is None:
                continue
            for node in walk_tree(choice.condition.tree):
                if not isinstance(node, Compare):
                    continue
                sides = (node.left, node.right)
                for side, other in (sides, sides[::-1]):
                    key = ("variable", side.name) if isinstance(side, Name) else \
                        ("scene", side.scene) if isinstance(side, Visits) else None
                    if key is None:
                        continue
                    if isinstance(other, Literal) and isinstance(other.value, int):
                        highest[key] = max(highest.get(key, 0), other.value)
                    else:
                        (counters if key[0] == "variable" else visits).discard(key[1])
    var_caps = {name: highest.get(("variable", name), 0) + 1 for name in counters}
    visit_caps = {name: highest.get(("scene", name), 0) + 1 for name in visits}
    return var_caps, visit_caps


def state_key(state: State, live: dict[str, Live], caps: tuple[dict[str, int], dict[str, int]]) -> Hashable:
    """The parts of ``state`` that can still change what happens."""
    names = live[state.scene]
    variables = state.variables
    visits = state.visits
    var_caps, visit_caps = caps
    return (state.scene, state.inventory & names.items,
            tuple(min(variables[v], var_caps[v]) if v in var_caps else variables[v] for v in names.variables),
            tuple(min(visits.get(s, 0), visit_caps.get(s, 1 << 62)) for s in names.visits))


def explore(story: Story, limit: int = DEFAULT_LIMIT, start: State | None = None) -> Exploration:
    """Search every state reachable from ``start`` (default: a new game), up to ``limit`` states."""
    live = live_names(story)
    caps = saturation(story)
    first = start if start is not None else engine.new_game(story)
    first_key = state_key(first, live, caps)
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
            following_key = state_key(following, live, caps)
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


def findings(story: Story, found: Exploration, limit: int = DEFAULT_LIMIT) -> list[Problem]:
    """What the search found wrong, each as a warning at the place in the YAML it is about."""
    problems: list[Problem] = []
    root_loc = Loc(str(Path(story.root) / "story.yaml"))
    targets = {c.target for s in story.scenes.values() for c in s.choices}
    if found.truncated:
        problems.append(Problem(root_loc, f"the story has more than {limit:,} distinct states; the analysis "
                                f"stopped there, having reached {len(found.scenes)} of {len(story.scenes)} "
                                "scenes, so unreachable-content findings are left out", "warning"))
    else:
        for scene in story.scenes.values():
            if scene.id not in found.scenes and (scene.id in targets or scene.id == story.start):
                what = f"ending '{scene.id}' ({scene.ending.title})" if scene.ending else f"scene '{scene.id}'"
                problems.append(Problem(scene.loc, f"{what} can never be reached: every way in is locked in "
                                        "every play", "warning"))
            elif scene.id in found.scenes:
                for choice in scene.choices:
                    if (scene.id, choice.id) not in found.opened:
                        problems.append(Problem(choice.loc, f"choice '{choice.id}' in scene '{scene.id}' can never "
                                                "be taken: its condition is false every time the scene is reached",
                                                "warning"))
        for scene_id, state in sorted(found.stuck.items()):
            problems.append(Problem(story.scenes[scene_id].loc, f"from scene '{scene_id}' some plays can never "
                                    f"reach an ending (a loop with no way out); one such play: "
                                    f"{_route_hint(state)}", "warning"))
    for scene_id, state in sorted(found.softlocks.items()):
        problems.append(Problem(story.scenes[scene_id].loc, f"softlock: scene '{scene_id}' can be reached with "
                                f"every choice locked; one such play: {_route_hint(state)}", "warning"))
    return problems


def _route_hint(state: State) -> str:
    path = list(state.path)
    shown = ", ".join(path[-6:])
    return f"{len(path)} moves ending {'... ' if len(path) > 6 else ''}{shown}" if path else "the start"
