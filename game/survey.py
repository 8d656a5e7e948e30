"""What can be said about a story without listing its states: the values each name can hold on
entering each scene.

The survey follows every choice that some combination of those values opens, and keeps, per scene
and per name, the set of values seen (a name past ``MAX_VALUES`` values is ``ANY``). It forgets
which values go together, so it allows more than any play can do, never less: a choice it never
opens can never be taken, a passage it never shows is never seen, and a lock it never finds shut
never binds. That costs one pass over the scenes however many states the story has, where the full
search (``game.analysis.explore``) lists every state, which the bundled story counts in tens of
thousands. What the survey cannot prove, such as a softlock, needs that full search.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from game import engine
from game.engine import State
from game.gcpause import paused_gc
from game.story.model import Choice, Choose, Condition, Effects, Scene, Story, Text

Read = tuple[str, str]
"""("item" | "variable" | "scene" | "used", id): something a condition reads. "scene" is a visit
count; "used" a once-only choice, ``scene.choice``, having been taken."""
Values = frozenset[int | bool] | None
ANY: Values = None
"""The values of a name that has too many to list: every condition on it may go either way."""
MAX_VALUES = 32
WIDEN_AFTER = 8
"""Times a scene's values may grow one value at a time (a counter raised round a loop); after
that a name that grows again can have any value, so that a loop is surveyed a few times, not once
per value."""
MAX_VARIANTS = 256
"""Combinations of values tried one by one in a scene; past this, every choice there may open."""
Caps = tuple[dict[str, int], dict[str, int]]
NOTHING: frozenset[Read] = frozenset()
"""Shared by every scene that reads nothing: an empty frozenset is its own object each time."""


class Survey(msgspec.Struct):
    """The survey's findings; each set holds more than any play can reach, never less."""

    reading: Reading
    """What each scene's conditions read (worked out for the survey, kept for the search)."""
    start: dict[Read, Values]
    """Each name's value at the start, which it keeps in every scene where it is not listed."""

    values: dict[str, dict[Read, Values]] = msgspec.field(default_factory=dict)
    """Scene id → each name's possible values on entering it; a scene absent is never reached."""
    opened: set[tuple[str, str]] = msgspec.field(default_factory=set)
    """(scene id, choice id) pairs that may be open."""
    locked: set[tuple[str, str]] = msgspec.field(default_factory=set)
    """(scene id, choice id) of conditional choices that may be found locked."""
    unsure: set[str] = msgspec.field(default_factory=set)
    """Scenes where some combination of values leaves every choice closed: possible softlocks."""

    def at(self, scene: str, names: Iterable[Read]) -> dict[Read, Values]:
        """Each of ``names``' possible values on entering ``scene`` (a reached one)."""
        here, start = self.values[scene], self.start
        return {name: here[name] if name in here else start.get(name, ANY) for name in names}


def scene_texts(scene: Scene) -> list[Text]:
    return [scene.text, *(c.text for c in scene.choices),
            *(c.locked_reason for c in scene.choices if c.locked_reason is not None)]


def text_conditions(scene: Scene) -> list[Condition]:
    """Every condition in a scene's prose, choice texts and lock reasons."""
    found: list[Condition] = []
    for text in scene_texts(scene):
        for choose in text.chooses():
            found.extend(branch.condition for branch in choose.branches)
    return found


def saturation(story: Story) -> Caps:
    """Counters and visit counts that only grow and are only compared with numbers: the value past
    which every comparison (in a choice's condition or in text) gives the same answer. Capping them
    there keeps loops finite."""
    from game.story.conditions import Compare, Literal, Name, Visits, walk_tree

    counters = {v.id for v in story.variables.values() if not isinstance(v.default, bool)}
    visits = set(story.scenes)
    highest: dict[tuple[str, str], int] = {}
    for scene in story.scenes.values():
        for effects in (scene.on_enter, *(c.effects for c in scene.choices)):
            counters -= {name for name, delta in effects.add if delta < 0}
        tested = [c.condition for c in scene.choices if c.condition is not None]
        for condition in (*tested, *text_conditions(scene)):
            for node in walk_tree(condition.tree):
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


def topological_rank(story: Story) -> dict[str, int]:
    """Each scene's strongly connected component, numbered so that choices lead to equal or higher
    numbers. A scene with a higher number than another can never lead to it."""
    graph = {sid: [c.target for c in scene.choices] for sid, scene in story.scenes.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = graph[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    rank = {}
    for number, component in enumerate(reversed(components)):
        for member in component:
            rank[member] = number
    return rank


class Reading(msgspec.Struct, frozen=True):
    """What each scene's conditions read, worked out once: the survey, the liveness of names and
    the search's state key all start from it."""

    choices: dict[str, frozenset[Read]]
    """Scene id → what its choices' conditions read, and its once-only choices."""
    texts: dict[str, frozenset[Read]]
    """Scene id → what the conditions in its prose, choice texts and lock reasons read."""
    rank: dict[str, int]
    """``topological_rank``."""
    edges: dict[str, list[tuple[str, frozenset[Read]]]]
    """Scene id → each choice's target and the names it (or the scene it enters) overwrites."""
    predecessors: dict[str, list[str]]
    """Scene id → the scenes with a choice leading to it, once per choice."""


def reading(story: Story) -> Reading:
    memo: dict[int, frozenset[Read]] = {}  # conditions written alike are one object: read each once

    def reads(condition: Condition) -> frozenset[Read]:
        found = memo.get(id(condition))
        if found is None:
            found = memo[id(condition)] = condition.reads()
        return found

    killed: dict[int, frozenset[Read]] = {}  # effects written alike are one object too

    def kills(effects: Effects) -> frozenset[Read]:
        found = killed.get(id(effects))
        if found is None:
            found = killed[id(effects)] = _kills(effects)
        return found

    choices: dict[str, frozenset[Read]] = {}
    texts: dict[str, frozenset[Read]] = {}
    for scene in story.scenes.values():
        here: set[Read] = set()
        for choice in scene.choices:
            if choice.once:
                here.add(("used", f"{scene.id}.{choice.id}"))
            if choice.condition is not None:
                here.update(reads(choice.condition))
        choices[scene.id] = frozenset(here) if here else NOTHING
        in_text = {name for text in scene_texts(scene) if not _plain(text) for choose in text.chooses()
                   for branch in choose.branches for name in reads(branch.condition)}
        texts[scene.id] = frozenset(in_text) if in_text else NOTHING
    edges: dict[str, list[tuple[str, frozenset[Read]]]] = {}
    predecessors: dict[str, list[str]] = {sid: [] for sid in story.scenes}
    for sid, scene in story.scenes.items():
        edges[sid] = []
        for choice in scene.choices:
            target = choice.target
            on_entry = kills(story.scenes[target].on_enter)
            edges[sid].append((target, kills(choice.effects) | on_entry if on_entry else kills(choice.effects)))
            predecessors[target].append(sid)
    return Reading(choices, texts, topological_rank(story), edges, predecessors)


def _plain(text: Text) -> bool:
    """Text with no variation in it (most is one run of words)."""
    return Choose not in map(type, text.parts)


def _kills(effects: Effects) -> frozenset[Read]:
    """The names ``effects`` overwrite whatever they held: items given or taken, variables set."""
    if not (effects.give or effects.take or effects.set):
        return NOTHING
    return frozenset({("item", i) for i in (*effects.give, *effects.take)}
                     | {("variable", name) for name, _ in effects.set})


def value_of(state: State, name: Read, caps: Caps) -> int | bool:
    """``name``'s value in ``state``, capped as the search caps it."""
    kind, ident = name
    if kind == "item":
        return ident in state.inventory
    if kind == "used":
        return ident in state.used
    if kind == "scene":
        return min(state.visits.get(ident, 0), caps[1].get(ident, 1 << 62))
    value = state.variables[ident]
    return min(value, caps[0][ident]) if ident in caps[0] else value


def with_values(state: State, names: Sequence[Read], values: Iterable[int | bool]) -> State:
    """``state`` with each of ``names`` set to the matching value."""
    variables: dict[str, int | bool] = {}
    visits: dict[str, int] = {}
    given: set[str] = set()
    taken: set[str] = set()
    used_given: set[str] = set()
    used_taken: set[str] = set()
    for (kind, ident), value in zip(names, values, strict=True):
        if kind == "variable":
            variables[ident] = value
        elif kind == "scene":
            visits[ident] = int(value)
        elif kind == "item":
            (given if value else taken).add(ident)
        else:
            (used_given if value else used_taken).add(ident)
    return msgspec.structs.replace(
        state, variables=state.variables.update(variables) if variables else state.variables,
        visits=state.visits.update(visits) if visits else state.visits,
        inventory=(state.inventory | given) - taken, used=(state.used | used_given) - used_taken)


def combinations(names: Sequence[Read], possible: Mapping[Read, Values]) -> list[tuple[int | bool, ...]] | None:
    """Every combination of the values ``names`` can have, or None when there are too many."""
    choices = [possible.get(name, ANY) for name in names]
    listed = [c for c in choices if c is not None]
    if len(listed) < len(choices) or math.prod(len(c) for c in listed) > MAX_VARIANTS:
        return None
    return list(itertools.product(*(sorted(c, key=int) for c in listed)))


class View:
    """Just what one scene's conditions read, under one combination of values: far cheaper to
    build than a State, and a ``StateView`` like it."""

    __slots__ = ("inventory", "scene", "used", "variables", "visits")

    def __init__(self, scene: str, names: Sequence[Read], values: Iterable[int | bool]) -> None:
        self.scene = scene
        self.inventory: set[str] = set()
        self.variables: dict[str, int | bool] = {}
        self.visits: dict[str, int] = {}
        self.used: set[str] = set()
        for (kind, ident), value in zip(names, values, strict=True):
            if kind == "variable":
                self.variables[ident] = value
            elif kind == "scene":
                self.visits[ident] = int(value)
            elif value:
                (self.inventory if kind == "item" else self.used).add(ident)


def live_reads(story: Story, known: Reading, texts: bool) -> dict[str, set[Read]]:
    """For each scene, the names some condition there or after it reads before an effect
    overwrites them (giving or taking an item, setting a variable): the only names that can still
    matter there. A visit count or a once-only choice is live only where it could already have
    changed. ``texts`` counts conditions in text as readers too."""
    rank = known.rank
    since = _changes_from(known)
    live: dict[str, set[Read]] = {}
    for sid, here in known.choices.items():
        names = here | known.texts[sid] if texts else here
        at = rank[sid]
        live[sid] = {name for name in names if since[name] <= at}
    edges, predecessors = known.edges, known.predecessors
    pending = deque(sorted(story.scenes, key=lambda sid: -rank[sid]))
    queued = set(pending)
    while pending:
        sid = pending.popleft()
        queued.discard(sid)
        mine = live[sid]
        before = len(mine)
        at = rank[sid]
        for target, killed in edges[sid]:
            new = live[target] - killed - mine
            if new:
                mine.update(name for name in new if since[name] <= at)
        if len(mine) != before:
            for parent in predecessors[sid]:
                if parent not in queued:
                    queued.add(parent)
                    pending.append(parent)
    return live


def _changes_from(known: Reading) -> dict[Read, int]:
    """Each name read anywhere, with the lowest rank of a scene where it could already have
    changed: a visit count or a once-only choice only from its own scene's rank on (a scene of
    higher rank can never lead back to it), anything else everywhere."""
    rank = known.rank
    since: dict[Read, int] = {}
    for reads in (*known.choices.values(), *known.texts.values()):
        for name in reads:
            if name not in since:
                kind, value = name
                since[name] = rank[value] if kind == "scene" else \
                    rank[value.partition(".")[0]] if kind == "used" else -1
    return since


def survey(story: Story, start: State | None = None, caps: Caps | None = None) -> Survey:
    """Each name's possible values on entering each scene reachable from ``start`` (default: a new
    game), following a choice only under values that open it.

    Each scene keeps only its live names (``live_reads``): a name absent there either cannot
    matter or still has its value at ``start``, which ``Survey.at`` falls back on."""
    with paused_gc():
        return _survey(story, start, caps)


def _survey(story: Story, start: State | None, caps: Caps | None) -> Survey:
    caps = caps if caps is not None else saturation(story)
    first = start if start is not None else engine.new_game(story)
    facts = reading(story)
    rank = facts.rank
    live = live_reads(story, facts, texts=True)
    names = {name for reads in (*facts.choices.values(), *facts.texts.values()) for name in reads}
    result = Survey(facts, {name: frozenset({value_of(first, name, caps)}) for name in names})
    initial = result.start
    result.values[first.scene] = {name: result.start[name] for name in live[first.scene]}
    changes: dict[int, frozenset[Read]] = {}  # by Effects: written alike, they are one object
    sets: Interned = {}  # one object per set of values: most repeat
    tried = _Tried()
    grown: dict[str, int] = {}  # how often each scene's values have grown
    pending = [(rank[first.scene], first.scene)]  # earlier scenes first: each is done once its way in is
    queued = {first.scene}
    while pending:
        scene = story.scenes[heapq.heappop(pending)[1]]
        queued.discard(scene.id)
        if scene.ending is not None:
            continue
        for choice, entry in _open_under(story, scene, result, tried):
            target = story.scenes[choice.target]
            used = f"{scene.id}.{choice.id}" if choice.once else None
            here = live[target.id]
            after = {name: entry[name] if name in entry else initial[name] for name in here}
            steps = (choice.effects, target.on_enter)
            for name in {*_changes(choice.effects, changes), *_changes(target.on_enter, changes),
                         ("scene", target.id), ("used", used)}:
                if name in here:
                    moved = _moved(after[name], name, steps, target.id, used, caps)
                    after[name] = moved if moved is None else _one_of(sets, moved)
            before = result.values.get(target.id)
            widened = grown.get(target.id, 0)
            merged = after if before is None else _merged(before, after, sets, widened >= WIDEN_AFTER)
            if merged is not before:
                grown[target.id] = widened + 1
                result.values[target.id] = merged
                if target.id not in queued:
                    queued.add(target.id)
                    heapq.heappush(pending, (rank[target.id], target.id))
    return result


def _changes(effects: Effects, memo: dict[int, frozenset[Read]]) -> frozenset[Read]:
    """The items and variables ``effects`` can change."""
    found = memo.get(id(effects))
    if found is None:
        names = {("item", item) for item in (*effects.give, *effects.take)}
        names.update(("variable", name) for name, _ in (*effects.set, *effects.add))
        found = memo[id(effects)] = frozenset(names) if names else NOTHING
    return found


def _merged(before: dict[Read, Values], after: dict[Read, Values], sets: Interned,
            at_once: bool) -> dict[Read, Values]:
    """``before`` widened by ``after``: ``before`` itself when nothing is new. ``at_once`` widens a
    name that grows straight to ``ANY``."""
    merged = before
    for name, values in after.items():
        old = before[name]
        if old is values or old is None or (values is not None and values <= old):
            continue
        if merged is before:
            merged = dict(before)
        union = ANY if at_once else _union(old, values)
        merged[name] = union if union is None else _one_of(sets, union)
    return merged


class _Tried:
    """What trying a scene's (or a choice's) conditions under some values found, kept by those
    values: a scene is surveyed again each time what arrives there widens, and mostly the values
    its conditions read have not changed."""

    def __init__(self) -> None:
        self.scenes: dict[tuple[str, tuple[Values, ...]], dict[str, tuple[frozenset[int | bool], ...]]] = {}
        self.choices: dict[tuple[int, tuple[Values, ...]], tuple[Values, ...] | None] = {}
        self.reads: dict[int, list[Read]] = {}


def _open_under(story: Story, scene: Scene, result: Survey,
                tried: _Tried) -> list[tuple[Choice, Mapping[Read, Values]]]:
    """Each choice some combination of the scene's values opens, with the values that open it.
    Records which choices may open, which may be locked and whether all may be closed at once."""
    own = result.values[scene.id]
    if not result.reading.choices[scene.id]:  # nothing to test (no condition, none once-only)
        plain = [c for c in scene.choices if not c.fallback]
        opened = plain or list(scene.choices)  # fallbacks only when nothing else is there
        if not opened:
            result.unsure.add(scene.id)
        result.opened.update((scene.id, c.id) for c in opened)
        return [(c, own) for c in opened]
    reads = sorted(result.reading.choices[scene.id])
    values = result.at(scene.id, reads)
    key = (scene.id, tuple(values.values()))
    opening = tried.scenes.get(key)
    if opening is None:
        combos = combinations(reads, values)
        if combos is None:
            return _each_alone(scene, own, values, result, tried)
        opening = tried.scenes[key] = _try_together(story, scene, reads, combos, result)
    return [(choice, _narrowed(own, reads, opening[choice.id])) for choice in scene.choices
            if choice.id in opening]


def _try_together(story: Story, scene: Scene, reads: list[Read], combos: list[tuple[int | bool, ...]],
                  result: Survey) -> dict[str, tuple[frozenset[int | bool], ...]]:
    """Every combination in turn: for each choice it opens, the values of ``reads`` that open it."""
    opening: dict[str, list[tuple[int | bool, ...]]] = {}  # choice id → the combinations that open it
    for combo in combos:
        view = View(scene.id, reads, combo)
        opened = engine.open_choices(story, view)
        if not opened:
            result.unsure.add(scene.id)
        if scene.special_choices:  # a choice may be closed with its condition true: test them all
            for choice in scene.choices:
                if choice.condition is not None and not choice.condition.test(view):
                    result.locked.add((scene.id, choice.id))
        elif len(opened) < len(scene.choices):  # else a choice is closed when its condition is false
            for choice in scene.choices:
                if choice not in opened:
                    result.locked.add((scene.id, choice.id))
        for choice in opened:
            result.opened.add((scene.id, choice.id))
            if choice.id in opening:
                opening[choice.id].append(combo)
            else:
                opening[choice.id] = [combo]
    return {cid: tuple(map(frozenset, zip(*opened_by, strict=True))) if reads else ()
            for cid, opened_by in opening.items()}


def _each_alone(scene: Scene, own: dict[Read, Values], values: Mapping[Read, Values],
                result: Survey, tried: _Tried) -> list[tuple[Choice, Mapping[Read, Values]]]:
    """Choices tried one at a time, when the scene's values together have too many combinations:
    whether each may open (under the values of what its own condition reads) and may be locked.
    A fallback may open whenever its own condition may hold, as if no other choice were open."""
    found: list[tuple[Choice, Mapping[Read, Values]]] = []
    for choice in scene.choices:
        reads = tried.reads.get(id(choice))
        if reads is None:
            reads = tried.reads[id(choice)] = sorted(
                (*(choice.condition.reads() if choice.condition is not None else ()),
                 *((("used", f"{scene.id}.{choice.id}"),) if choice.once else ())))
        key = (id(choice), tuple(values.get(name) for name in reads))
        if key in tried.choices:
            opens = tried.choices[key]
        else:
            opens = tried.choices[key] = _try_alone(scene, choice, reads, values, result)
        if opens is not None:
            found.append((choice, _narrowed(own, reads, opens)))
    if not any(c.condition is None and not c.once for c in scene.choices):
        result.unsure.add(scene.id)
    return found


def _try_alone(scene: Scene, choice: Choice, reads: list[Read], values: Mapping[Read, Values],
               result: Survey) -> tuple[Values, ...] | None:
    """The values of ``reads`` under which ``choice`` opens (all of them when they cannot be
    listed), or None when it never does."""
    combos = combinations(reads, values)
    if combos is None:
        result.opened.add((scene.id, choice.id))
        if choice.condition is not None:
            result.locked.add((scene.id, choice.id))
        return tuple(values.get(name) for name in reads)
    used = f"{scene.id}.{choice.id}"
    buckets: list[set[int | bool]] = [set() for _ in reads]
    for combo in combos:
        view = View(scene.id, reads, combo)
        if choice.condition is not None and not choice.condition.test(view):
            result.locked.add((scene.id, choice.id))
        elif not (choice.once and used in view.used):
            for bucket, value in zip(buckets, combo, strict=True):
                bucket.add(value)
    if reads and not all(buckets):
        return None
    result.opened.add((scene.id, choice.id))
    return tuple(frozenset(bucket) for bucket in buckets)


def _narrowed(own: dict[Read, Values], reads: Sequence[Read], narrow: Sequence[Values]) -> Mapping[Read, Values]:
    """A scene's own values with each of ``reads`` narrowed to the matching values."""
    if not reads:
        return own
    narrowed = dict(own)
    narrowed.update(zip(reads, narrow, strict=True))
    return narrowed


def _moved(known: Values, name: Read, steps: tuple[Effects, Effects], entered: str, used: str | None,
           caps: Caps) -> Values:
    """The values of ``name`` after a choice's effects and the entered scene's."""
    if known is None:
        return ANY
    kind, ident = name
    if kind == "used":
        return frozenset({True}) if ident == used else known
    values: set[int | bool] = set(known)
    if kind == "scene":
        if ident == entered:
            cap = caps[1].get(ident, 1 << 62)
            values = {min(int(v) + 1, cap) for v in values}
        return frozenset(values)
    for effects in steps:
        if kind == "item":
            if ident in effects.give:
                values = {True}
            if ident in effects.take:
                values = {False}
            continue
        for var, value in effects.set:
            if var == ident:
                values = {value}
        delta = sum(d for var, d in effects.add if var == ident)
        if delta:
            values = {int(v) + delta for v in values}
        for var, low, high in effects.bounds:
            if var == ident:
                values = {min(max(int(v), low), high) for v in values}
    ceiling = caps[0].get(ident)
    if ceiling is not None:
        values = {min(v, ceiling) if not isinstance(v, bool) else v for v in values}
    return frozenset(values) if len(values) <= MAX_VALUES else ANY


Interned = dict[tuple[bool, frozenset[int | bool]], frozenset[int | bool]]


def _one_of(sets: Interned, values: frozenset[int | bool]) -> frozenset[int | bool]:
    """The one object kept for ``values``. Flags and numbers are kept apart: ``{True}`` equals
    ``{1}`` as a set, but a condition on a flag tests ``is True``."""
    key = (any(type(value) is bool for value in values), values)
    return sets.setdefault(key, values)


def _union(a: Values, b: Values) -> Values:
    if a is None or b is None:
        return ANY
    both = a | b
    return both if len(both) <= MAX_VALUES else ANY
