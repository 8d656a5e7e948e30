"""Exploring a story's state space with the player's own rules.

Reachability, softlocks, dead ends, choices that never open and shortest routes all come from
one breadth-first search over states, where a state is keyed by everything the rules can still
see from where it stands: the scene, and the items, variables and visit counts that some
condition in that scene or after it reads. The moves taken and the play time are left out of the
key, since no rule reads them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import msgspec

from game import engine
from game.engine import State
from game.gcpause import paused_gc
from game.story.model import Choose, StateView, Story, Text
from game.story.problems import Loc, Problem
from game.survey import (
    Read,
    Reading,
    Survey,
    Values,
    View,
    combinations,
    live_reads,
    reading,
    saturation,
    scene_texts,
    survey,
    with_values,
)

DEFAULT_LIMIT = 250_000
"""States explored before the search stops and reports what it covered."""
SEARCH_BOUND = 20_000
"""``check`` searches every state when the survey bounds their number by this (a second at most);
past it, ``check`` reports what the survey proves and ``check --deep`` searches."""
DOOM_MOVES = 3
"""A choice that dooms the player is fair when the end follows within this many moves."""
GOOD_ENDINGS = ("canonical", "alternate")


class Exploration(msgspec.Struct):
    """What a breadth-first search of the story found."""

    states: int = 0
    truncated: bool = False
    scenes: set[str] = msgspec.field(default_factory=set)
    """Scenes some play can reach."""
    opened: set[tuple[str, str]] = msgspec.field(default_factory=set)
    """(scene id, choice id) pairs that are open in at least one reachable state."""
    softlocks: dict[str, list[str]] = msgspec.field(default_factory=dict)
    """Scene id → the choices of a play that reaches it with no open choice (and no ending)."""
    stuck: dict[str, list[str]] = msgspec.field(default_factory=dict)
    """Scene id → the choices of a play that reaches it and can then never reach an ending."""
    routes: Mapping[str, list[str]] = msgspec.field(default_factory=dict)
    """Ending scene id → the shortest list of choice ids that reaches it (built when asked for)."""
    locked: set[tuple[str, str]] = msgspec.field(default_factory=set)
    """(scene id, choice id) of conditional choices found locked in at least one reachable state."""
    shown: set[tuple[int, int]] = msgspec.field(default_factory=set)
    """(id of a text variation, branch index) seen in some reachable state; the else is index -1.
    Filled only by ``explore(..., texts=True)``."""
    doomed: dict[tuple[str, str], tuple[list[str], int]] = msgspec.field(default_factory=dict)
    """(scene id, choice id) → (a play that takes it, moves to the nearest end) for choices after
    which every route ends in death or failure more than ``DOOM_MOVES`` moves later."""


class _Routes(Mapping[str, list[str]]):
    """Shortest routes, rebuilt from the search's parent links only for the endings asked about:
    building all of them up front costs the story's length once per ending."""

    def __init__(self, ends: dict[str, int], path: Callable[[int], list[str]]) -> None:
        self._ends = ends
        self._path = path

    def __getitem__(self, ending: str) -> list[str]:
        return self._path(self._ends[ending])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ends)

    def __len__(self) -> int:
        return len(self._ends)


class Live(msgspec.Struct, frozen=True):
    """What a state can still be told apart by, in one scene: names some later condition reads."""

    items: frozenset[str]
    variables: tuple[str, ...]
    visits: tuple[str, ...]
    used: frozenset[str] = frozenset()
    """Once-only choices (``scene.choice``) whose having been taken still matters."""


def live_names(story: Story, known: Reading | None = None) -> dict[str, Live]:
    """For each scene, the items, variables and visit counts that can still change what happens.

    Two states in the same scene that agree on these have the same future, so the search keys
    states by them alone; without this, every harmless difference earlier in the story would
    multiply the states. Names read only by text are left out: text never changes what happens
    (their values come from the survey, ``game.survey``).
    """
    return {sid: Live(frozenset(n for k, n in names if k == "item"),
                      tuple(sorted(n for k, n in names if k == "variable")),
                      tuple(sorted(n for k, n in names if k == "scene")),
                      frozenset(n for k, n in names if k == "used"))
            for sid, names in live_reads(story, known or reading(story), texts=False).items()}


StateKey = tuple[str, frozenset[str], tuple[int | bool, ...], tuple[int, ...], frozenset[str]]
"""Scene, live items, live variables, live visit counts, live once-only choices taken."""


def state_key(state: State, live: dict[str, Live], caps: tuple[dict[str, int], dict[str, int]]) -> StateKey:
    """The parts of ``state`` that can still change what happens."""
    names = live[state.scene]
    variables = state.variables
    visits = state.visits
    var_caps, visit_caps = caps
    return (state.scene, state.inventory & names.items,
            tuple(min(variables[v], var_caps[v]) if v in var_caps else variables[v] for v in names.variables),
            tuple(min(visits.get(s, 0), visit_caps.get(s, 1 << 62)) for s in names.visits),
            state.used & names.used if names.used else frozenset())


def explore(story: Story, limit: int = DEFAULT_LIMIT, start: State | None = None,
            thorough: bool = False, surveyed: Survey | None = None) -> Exploration:
    """Search every state reachable from ``start`` (default: a new game), up to ``limit`` states.

    Only the frontier holds whole States; every state seen is remembered by its key, the state it
    was reached from and the choice taken, which is all a route needs. ``thorough`` (for
    ``check``) also records which text variations each state shows and which choices doom it;
    ``surveyed``, the survey of the same story from the same start, saves making it again.
    """
    with paused_gc():
        return _explore(story, limit, start, thorough, surveyed)


def _explore(story: Story, limit: int, start: State | None, thorough: bool,
             surveyed: Survey | None) -> Exploration:
    live = live_names(story)
    caps = saturation(story)
    first = start if start is not None else engine.new_game(story)
    seen: dict[StateKey, int] = {state_key(first, live, caps): 0}
    parents = [-1]
    via = [""]
    edges: list[list[int]] = [[]]
    edge_choices: list[list[str]] = [[]]
    variations = {sid: [t for t in scene_texts(scene) if t.fixed is None]
                  for sid, scene in story.scenes.items()} if thorough else {}
    free = _free_text_names(story, live, variations) if thorough else {}
    if free and surveyed is None:
        surveyed = survey(story, first, caps)
    reached = surveyed.values if free and surveyed is not None else {}
    queue: deque[tuple[int, State]] = deque([(0, first)])
    result = Exploration()
    endings: list[int] = []
    ends: dict[str, int] = {}

    def path(index: int) -> list[str]:
        taken = []
        while parents[index] >= 0:
            taken.append(via[index])
            index = parents[index]
        return taken[::-1]

    while queue:
        index, state = queue.popleft()
        scene = story.scenes[state.scene]
        result.scenes.add(scene.id)
        if thorough and variations[scene.id]:
            possible = surveyed.at(scene.id, free[scene.id]) if surveyed is not None and scene.id in reached else {}
            _record_variations(variations[scene.id], _variants(state, free[scene.id], possible), result.shown)
        if scene.ending is not None:
            ends.setdefault(scene.id, index)
            endings.append(index)
            continue
        targets = edges[index]
        open_ids = {c.id for c in engine.open_choices(story, state)} if scene.special_choices else None
        for choice in scene.choices:
            if choice.condition is not None and not choice.condition.test(state):
                result.locked.add((scene.id, choice.id))
                continue
            if open_ids is not None and choice.id not in open_ids:
                continue
            result.opened.add((scene.id, choice.id))
            following = engine.take(story, state, choice)
            key = state_key(following, live, caps)
            known = seen.get(key)
            if known is None:
                if len(seen) >= limit:
                    result.truncated = True
                    continue
                known = len(parents)
                seen[key] = known
                parents.append(index)
                via.append(choice.id)
                edges.append([])
                edge_choices.append([])
                queue.append((known, following))
            targets.append(known)
            if thorough:
                edge_choices[index].append(choice.id)
        if not targets and scene.id not in result.softlocks and not result.truncated:
            result.softlocks[scene.id] = path(index)
    result.states = len(seen)
    result.routes = _Routes(ends, path)
    if not result.truncated:
        # A state that can still fall into a dead end is explained by the softlock warning there;
        # only a state that can reach neither an ending nor a dead end is in a loop with no way out.
        finished = set(endings)
        dead_ends = [i for i, targets in enumerate(edges) if not targets and i not in finished]
        can_finish = _reaching([*endings, *dead_ends], edges)
        scene_of = {index: key[0] for key, index in seen.items()}
        for index, targets in enumerate(edges):
            if targets and index not in can_finish and scene_of[index] not in result.stuck:
                result.stuck[scene_of[index]] = path(index)
        if thorough:
            _find_doom(story, result, endings, edges, edge_choices, scene_of, path)
    return result


def _free_text_names(story: Story, live: dict[str, Live],
                     variations: dict[str, list[Text]]) -> dict[str, list[Read]]:
    """For each scene with varying text, the names its text reads that the search does not key
    states by there: states that differ only in them were merged, so their values come from the
    survey instead."""
    free: dict[str, list[Read]] = {}
    for sid, texts in variations.items():
        if not texts:
            continue
        keyed = live[sid]
        reads = {name for text in texts for choose in text.chooses() for branch in choose.branches
                 for name in branch.condition.reads()}
        free[sid] = sorted(name for name in reads
                           if not ((name[0] == "item" and name[1] in keyed.items)
                                   or (name[0] == "variable" and name[1] in keyed.variables)
                                   or (name[0] == "scene" and name[1] in keyed.visits)))
    return free


def _variants(state: State, free: list[Read], possible: Mapping[Read, Values]) -> list[State] | None:
    """``state`` with the free names set to each combination of values they can have; None when
    those cannot be listed (the caller then marks every branch as possible)."""
    if not free:
        return [state]
    combos = combinations(free, possible)
    return None if combos is None else [with_values(state, free, combo) for combo in combos]


def _record_variations(texts: list[Text], states: Sequence[StateView] | None, shown: set[tuple[int, int]]) -> None:
    """Note which branch of each variation each of ``states`` shows (nested ones only inside what is
    shown); ``None`` stands for states that could not be listed, under which every branch may show."""
    if states is None:
        for text in texts:
            for choose in text.chooses():
                shown.update((id(choose), number) for number in range(-1, len(choose.branches)))
        return
    for state in states:
        _record_shown(texts, state, shown)


def _record_shown(texts: list[Text], state: StateView, shown: set[tuple[int, int]]) -> None:
    """Note which branch of each variation ``state`` shows (nested ones only inside what is shown)."""
    for text in texts:
        for part in text.parts:
            if type(part) is Choose:
                _record_choose(part, state, shown)


def _record_choose(part: Choose, state: StateView, shown: set[tuple[int, int]]) -> None:
    for number, branch in enumerate(part.branches):
        if branch.condition.test(state):
            shown.add((id(part), number))
            _record_shown([branch.body], state, shown)
            return
    shown.add((id(part), -1))
    if part.otherwise is not None:
        _record_shown([part.otherwise], state, shown)


def _find_doom(story: Story, result: Exploration, endings: list[int], edges: list[list[int]],
               edge_choices: list[list[str]], scene_of: dict[int, str], path: Callable[[int], list[str]]) -> None:
    """Choices after which no route reaches a good ending, with how soon the end comes."""
    good = _reaching([i for i in endings if _kind(story, scene_of[i]) in GOOD_ENDINGS], edges)
    distance = _distance_to(endings, edges)
    for source, targets in enumerate(edges):
        if source not in good:
            continue
        for target, choice_id in zip(targets, edge_choices[source], strict=True):
            key = (scene_of[source], choice_id)
            if target in good or key in result.doomed:
                continue
            moves = distance.get(target, 0)
            if moves > DOOM_MOVES:
                result.doomed[key] = ([*path(source), choice_id], moves)


def _kind(story: Story, scene_id: str) -> str:
    ending = story.scenes[scene_id].ending
    return ending.kind if ending is not None else ""


def _distance_to(goals: list[int], edges: list[list[int]]) -> dict[int, int]:
    """Fewest moves from each state to one of ``goals``."""
    backwards: list[list[int]] = [[] for _ in edges]
    for source, targets in enumerate(edges):
        for target in targets:
            backwards[target].append(source)
    distance = dict.fromkeys(goals, 0)
    queue = deque(goals)
    while queue:
        here = queue.popleft()
        for source in backwards[here]:
            if source not in distance:
                distance[source] = distance[here] + 1
                queue.append(source)
    return distance


def _reaching(goals: list[int], edges: list[list[int]]) -> set[int]:
    """Every state from which one of ``goals`` can be reached."""
    backwards: list[list[int]] = [[] for _ in edges]
    for source, targets in enumerate(edges):
        for target in targets:
            backwards[target].append(source)
    found = set(goals)
    queue = deque(goals)
    while queue:
        for source in backwards[queue.popleft()]:
            if source not in found:
                found.add(source)
                queue.append(source)
    return found


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
                        why = "its condition is false every time the scene is reached"
                        if choice.fallback:
                            why = "another choice is open every time the scene is reached, so this fallback " \
                                "never shows" if (scene.id, choice.id) not in found.locked else \
                                "every time the scene is reached, its condition is false or another choice is open"
                        problems.append(Problem(choice.loc, f"choice '{choice.id}' in scene '{scene.id}' can never "
                                                f"be taken: {why}", "warning"))
        problems.extend(_text_findings(story, found))
        problems.extend(_lock_findings(story, found))
        problems.extend(_doom_findings(story, found))
        for scene_id, path in sorted(found.stuck.items()):
            problems.append(Problem(story.scenes[scene_id].loc, f"from scene '{scene_id}' some plays can never "
                                    f"reach an ending (a loop with no way out); one such play: "
                                    f"{_route_hint(path)}", "warning"))
    for scene_id, path in sorted(found.softlocks.items()):
        problems.append(Problem(story.scenes[scene_id].loc, f"softlock: scene '{scene_id}' can be reached with "
                                f"every choice locked; one such play: {_route_hint(path)}", "warning"))
    return problems


def _text_findings(story: Story, found: Exploration) -> list[Problem]:
    """Passages no player can see, and conditions in text that can never be false."""
    if not found.shown:
        return []
    problems = []
    shown: dict[int, set[int]] = {}
    for key, number in found.shown:
        shown.setdefault(key, set()).add(number)
    for scene in story.scenes.values():
        if scene.id not in found.scenes:
            continue
        for text in scene_texts(scene):
            for choose in text.chooses():
                seen = shown.get(id(choose), set())
                if not seen:
                    continue  # inside a branch no one sees, reported there
                for number, branch in enumerate(choose.branches):
                    if number not in seen:
                        problems.append(Problem(branch.condition.loc, f"text never shown: every time scene "
                                                f"'{scene.id}' is reached, '{branch.condition.source}' is false "
                                                "or a condition before it holds", "warning"))
                if -1 not in seen and choose.otherwise is not None:
                    problems.append(Problem(choose.otherwise_loc or choose.loc, f"the 'else' text is never shown: "
                                            f"every time scene '{scene.id}' is reached, a condition before it "
                                            "holds", "warning"))
                elif -1 not in seen and len(seen) == 1:
                    condition = choose.branches[next(iter(seen))].condition
                    problems.append(Problem(condition.loc, f"'{condition.source}' holds every time scene "
                                            f"'{scene.id}' is reached, so this text never varies; drop the "
                                            "condition or add the case it is missing", "warning"))
    return problems


def _lock_findings(story: Story, found: Exploration) -> list[Problem]:
    """Conditional choices that are open every time their scene is reached: locks that never bind."""
    problems = []
    for scene in story.scenes.values():
        if scene.id not in found.scenes:
            continue
        for choice in scene.choices:
            key = (scene.id, choice.id)
            if choice.condition is not None and key in found.opened and key not in found.locked:
                problems.append(Problem(choice.loc, f"the lock on choice '{choice.id}' never binds: "
                                        f"'{choice.condition.source}' holds every time scene '{scene.id}' is "
                                        "reached; drop the 'if' or make it matter", "warning"))
    return problems


def _doom_findings(story: Story, found: Exploration) -> list[Problem]:
    """Choices that doom the player silently: every route after them ends badly, but not soon."""
    problems = []
    for (scene_id, choice_id), (path, moves) in sorted(found.doomed.items()):
        scene = story.scenes[scene_id]
        choice = scene.choice(choice_id)
        assert choice is not None
        if choice.risky or scene.risky or story.scenes[choice.target].risky:
            continue
        problems.append(Problem(choice.loc, f"choice '{choice_id}' in scene '{scene_id}' dooms the player: after "
                                f"it every route ends in death or failure, the nearest {moves} moves later; "
                                "make the danger plain in the prose and mark it 'risky: true', or leave a way "
                                f"out (one such play: {_route_hint(path)})", "warning"))
    return problems


def _route_hint(path: list[str]) -> str:
    shown = ", ".join(path[-6:])
    moves = "move" if len(path) == 1 else "moves"
    return f"{len(path)} {moves} ending {'... ' if len(path) > 6 else ''}{shown}" if path else "the start"


class StateBound(msgspec.Struct, frozen=True):
    """At most how many states ``explore`` can find, or why no bound is known."""

    states: int | None
    unlisted: tuple[str, str] | None = None
    """(scene id, name) of a name whose values the survey could not list, when ``states`` is None."""


def state_bound(story: Story, surveyed: Survey) -> StateBound:
    """In each scene the survey reaches, the product of how many values each name the search keys
    states by there can have, summed. No bound when a name has more values than the survey lists
    (a counter with no limit, or one the survey cannot tie to what limits it)."""
    live = live_reads(story, surveyed.reading, texts=False)
    total = 0
    for sid in surveyed.values:
        sizes = 1
        for name, found in surveyed.at(sid, sorted(live[sid])).items():
            if found is None:
                return StateBound(None, (sid, name[1]))
            sizes *= len(found)
        total += sizes
    return StateBound(total)


def surveyed_exploration(story: Story, surveyed: Survey) -> Exploration:
    """What ``findings`` can say from the survey alone: whatever it reports never happens (an
    unreachable scene, a choice never open, text never shown, a lock that never binds) truly never
    does; softlocks, loops and doomed choices are not looked for."""
    result = Exploration(scenes=set(surveyed.values), opened=set(surveyed.opened), locked=set(surveyed.locked))
    read: dict[int, list[Read]] = {}  # a variation written alike in many scenes is one object
    for sid in surveyed.values:
        for text in scene_texts(story.scenes[sid]):
            for part in text.parts:
                if type(part) is not Choose:
                    continue
                # each variation on its own: fewer names, so their values can be listed more often
                alone = Text((part,))
                reads = read.get(id(part))
                if reads is None:
                    reads = read[id(part)] = sorted({name for choose in alone.chooses() for branch in choose.branches
                                                     for name in branch.condition.reads()})
                combos = combinations(reads, surveyed.at(sid, reads))
                views = None if combos is None else [View(sid, reads, combo) for combo in combos]
                _record_variations([alone], views, result.shown)
    return result
