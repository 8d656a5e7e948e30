"""The rules of play: an immutable State and pure functions over a Story.

No I/O and no user interface live here. The same story, state and choice always give the same
new state, so undo is keeping earlier states and a walkthrough is a list of choice ids.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import msgspec
from immutables import Map

from game.render import choice_text, lock_reason
from game.story.model import Choice, Effects, Ending, Scene, StateView, Story, Value


class Trail:
    """The choice ids taken so far, as a persistent list: appending is O(1) however long the game.

    A link is made on every move, so making one does no more than it must: its hash is worked out
    only when asked for (nothing in play hashes a trail) and then kept. A plain Python class on
    purpose: CPython frees a long chain of its objects without deep recursion, which a chain of
    extension objects (a msgspec Struct) did not, crashing at 200,000 moves.
    """

    __slots__ = ("_hash", "_last", "_len", "_prev")
    _hash: int
    _last: str
    _len: int
    _prev: Trail | None

    def __init__(self, prev: Trail, last: str) -> None:
        """``prev`` with ``last`` appended; the empty trail is ``EMPTY_TRAIL``."""
        self._prev = prev
        self._last = last
        self._len = prev._len + 1

    @classmethod
    def of(cls, choice_ids: Iterable[str]) -> Trail:
        trail = EMPTY_TRAIL
        for choice_id in choice_ids:
            trail = Trail(trail, choice_id)
        return trail

    def plus(self, choice_id: str) -> Trail:
        return Trail(self, choice_id)

    @property
    def previous(self) -> Trail:
        """The trail without its last choice (the empty trail stays empty)."""
        return self._prev if self._prev is not None else self

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        ids: list[str] = []
        node: Trail | None = self
        while node is not None and node._prev is not None:
            ids.append(node._last)
            node = node._prev
        return reversed(ids)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trail):
            return NotImplemented
        if self._len != other._len:
            return False
        a: Trail | None = self
        b: Trail | None = other
        while a is not None and b is not None:
            if a is b:
                return True
            if a._last != b._last:
                return False
            a, b = a._prev, b._prev
        return True

    def __hash__(self) -> int:
        """Each link's hash from its parent's, computed for the links not yet hashed in a loop (a
        recursion would overflow on a long game) and kept."""
        unhashed: list[Trail] = []
        node: Trail | None = self
        value = 0
        while node is not None:
            try:
                value = node._hash
                break
            except AttributeError:
                unhashed.append(node)
                node = node._prev
        for link in reversed(unhashed):
            value = link._hash = hash((value, link._last))
        return value

    def __repr__(self) -> str:
        return f"Trail({list(self)!r})"


def _empty_trail() -> Trail:
    empty = object.__new__(Trail)
    empty._prev = None
    empty._last = ""
    empty._len = 0
    return empty


EMPTY_TRAIL = _empty_trail()


class ChoiceError(Exception):
    """A choice that cannot be taken: unknown in this scene, locked, or after the story ended."""


class StateFormatError(ValueError):
    """A serialised state that is not a valid State."""


class State(msgspec.Struct, frozen=True, gc=False):
    """Where a playthrough stands. A value: every change makes a new State."""

    scene: str
    inventory: frozenset[str]
    variables: Map[str, Value]
    visits: Map[str, int]
    path: Trail = EMPTY_TRAIL
    elapsed: float = 0.0
    """Seconds of play so far; front ends update it, the rules never read it."""
    used: frozenset[str] = frozenset()
    """``scene.choice`` of every once-only choice taken: those never open again."""

    @property
    def moves(self) -> int:
        return len(self.path)

    def with_elapsed(self, seconds: float) -> State:
        return msgspec.structs.replace(self, elapsed=seconds)

    def to_json(self) -> dict[str, object]:
        """A plain-JSON form; ``State.from_json(s.to_json()) == s`` always holds."""
        return {
            "scene": self.scene,
            "inventory": sorted(self.inventory),
            "variables": dict(sorted(self.variables.items())),
            "visits": dict(sorted(self.visits.items())),
            "path": list(self.path),
            "elapsed": self.elapsed,
            "used": sorted(self.used),
        }

    @classmethod
    def from_json(cls, data: object) -> State:
        """Rebuild a State, refusing anything of the wrong shape with a message that says what."""
        if not isinstance(data, dict):
            raise StateFormatError("state must be a JSON object")
        unknown = set(data) - {"scene", "inventory", "variables", "visits", "path", "elapsed", "used"}
        if unknown:
            raise StateFormatError(f"state has unknown field '{sorted(unknown)[0]}'")
        scene = data.get("scene")
        if not isinstance(scene, str) or not scene:
            raise StateFormatError("state.scene must be a non-empty string")
        inventory = _string_list(data.get("inventory", []), "state.inventory")
        path = _string_list(data.get("path", []), "state.path")
        used = _string_list(data.get("used", []), "state.used")
        variables = data.get("variables", {})
        if not isinstance(variables, dict) or not all(
                isinstance(k, str) and type(v) in (int, bool) for k, v in variables.items()):
            raise StateFormatError("state.variables must map names to integers or booleans")
        visits = data.get("visits", {})
        if not isinstance(visits, dict) or not all(
                isinstance(k, str) and type(v) is int and v >= 0 for k, v in visits.items()):
            raise StateFormatError("state.visits must map scene ids to counts of zero or more")
        elapsed = data.get("elapsed", 0.0)
        if type(elapsed) not in (int, float) or not math.isfinite(elapsed) or elapsed < 0:
            raise StateFormatError("state.elapsed must be a number of seconds, zero or more")
        return cls(scene, frozenset(inventory), Map(variables), Map(visits), Trail.of(path), float(elapsed),
                   frozenset(used))


def _string_list(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StateFormatError(f"{what} must be a list of strings")
    return value


class ChoiceView(msgspec.Struct, frozen=True, gc=False):
    """A choice as the player sees it in one state: open, or locked with a reason."""

    choice: Choice
    number: int | None
    """1-based among the open choices, or None when locked."""
    locked_reason: str | None
    text: str = ""
    """The choice's words as rendered in this state."""

    @property
    def is_open(self) -> bool:
        return self.locked_reason is None


def new_game(story: Story) -> State:
    """The state at the start: the start scene entered once, with its entry effects applied."""
    start = story.scenes[story.start]
    defaults = _defaults_of(story)
    inventory, variables = _apply(start.on_enter, frozenset(), defaults) if start.on_enter else (frozenset(), defaults)
    return State(start.id, inventory, variables, Map({start.id: 1}), EMPTY_TRAIL)


_defaults: tuple[Story, Map[str, Value]] | None = None
"""The last story started and its variables at their defaults (the Map is immutable, so shared)."""


def _defaults_of(story: Story) -> Map[str, Value]:
    """Every variable at its default, built once per story: building that Map anew cost a short
    random playthrough a tenth of its time. Kept for the last story only, by identity."""
    global _defaults
    cached = _defaults
    if cached is None or cached[0] is not story:
        cached = _defaults = (story, Map({name: var.default for name, var in story.variables.items()}))
    return cached[1]


def scene_of(story: Story, state: State) -> Scene:
    return story.scenes[state.scene]


def ending_of(story: Story, state: State) -> Ending | None:
    """The ending reached, or None while the story goes on."""
    return story.scenes[state.scene].ending


def used_key(scene: Scene, choice: Choice) -> str:
    """How a taken once-only choice is remembered in ``State.used``."""
    return f"{scene.id}.{choice.id}"


def open_choices(story: Story, state: StateView) -> list[Choice]:
    """The choices the player can take now, in the writer's order.

    A once-only choice already taken is gone; a fallback choice opens only when no other does.
    """
    scene = story.scenes[state.scene]
    if not scene.special_choices:
        opened = []  # a loop, not a comprehension: 3.11 makes a function object for each comprehension
        for choice in scene.choices:
            if choice.condition is None or choice.condition.test(state):
                opened.append(choice)
        return opened
    available = [c for c in scene.choices if not (c.once and used_key(scene, c) in state.used)]
    opened = [c for c in available if not c.fallback and (c.condition is None or c.condition.test(state))]
    if opened:
        return opened
    return [c for c in available if c.fallback and (c.condition is None or c.condition.test(state))]


def choice_views(story: Story, state: State) -> list[ChoiceView]:
    """Open choices, numbered, and the locked ones the writer chose to show, with their reasons."""
    scene = story.scenes[state.scene]
    opened = {c.id for c in open_choices(story, state)}
    views = []
    number = 0
    for choice in scene.choices:
        if choice.id in opened:
            number += 1
            views.append(ChoiceView(choice, number, None, choice_text(choice, state)))
        elif (choice.locked_reason is not None and choice.condition is not None
              and not (choice.once and used_key(scene, choice) in state.used)
              and not (choice.fallback and opened) and not choice.condition.test(state)):
            views.append(ChoiceView(choice, None, lock_reason(story, choice, state), choice_text(choice, state)))
    return views


def choose(story: Story, state: State, choice_id: str) -> State:
    """The state after taking ``choice_id``; raises ChoiceError when it cannot be taken."""
    scene = story.scenes[state.scene]
    if scene.ending is not None:
        raise ChoiceError(f"the story has ended ({scene.ending.title}); there are no more choices")
    choice = scene.choice(choice_id)
    if choice is None:
        known = ", ".join(c.id for c in open_choices(story, state)) or "none"
        raise ChoiceError(f"scene '{scene.id}' has no choice '{choice_id}' (open choices: {known})")
    if choice.condition is not None and not choice.condition.test(state):
        raise ChoiceError(f"choice '{choice_id}' in scene '{scene.id}' is locked: "
                          f"needs {choice.condition.source}")
    if scene.special_choices:
        if choice.once and used_key(scene, choice) in state.used:
            raise ChoiceError(f"choice '{choice_id}' in scene '{scene.id}' can be taken only once, "
                              "and it has been")
        if choice not in open_choices(story, state):
            raise ChoiceError(f"choice '{choice_id}' in scene '{scene.id}' is a fallback, open only "
                              "when no other choice is")
    return take(story, state, choice)


def take(story: Story, state: State, choice: Choice) -> State:
    """The state after ``choice``, which the caller has just had from ``open_choices`` for this state.

    For callers that list the open choices and pick one (random play, the analysis): the choice is
    neither looked up again by id nor tested again, which ``choose`` must do for an id from outside.
    Only that it is one of this scene's choices is checked (a choice from another scene or story, or
    any after the story has ended, raises ChoiceError; the same choice equal in every field, from the
    same story loaded again, is taken); one locked or closed in this state breaks the caller's promise
    and is taken all the same.
    """
    scene = story.scenes[state.scene]
    if choice not in scene.choices:  # identity first, so one pointer comparison for the caller's own choice
        raise ChoiceError(f"choice '{choice.id}' does not belong to scene '{scene.id}' of this story")
    used = state.used
    if choice.once:
        used = used | {used_key(scene, choice)}
    inventory, variables = state.inventory, state.variables
    effects = choice.effects  # tested field by field: Effects.__bool__ is a Python call, twice a choice
    if effects.give or effects.take or effects.set or effects.add:
        inventory, variables = _apply(effects, inventory, variables)
    target = story.scenes[choice.target]
    effects = target.on_enter
    if effects.give or effects.take or effects.set or effects.add:
        inventory, variables = _apply(effects, inventory, variables)
    visits = state.visits.set(target.id, state.visits.get(target.id, 0) + 1)
    return State(target.id, inventory, variables, visits, Trail(state.path, choice.id), state.elapsed, used)


def replay(story: Story, choice_ids: Iterable[str], start: State | None = None) -> State:
    """Play ``choice_ids`` in order from ``start`` (default: a new game)."""
    state = start if start is not None else new_game(story)
    for index, choice_id in enumerate(choice_ids, 1):
        try:
            state = choose(story, state, choice_id)
        except ChoiceError as exc:
            raise ChoiceError(f"move {index}: {exc}") from None
    return state


def history(story: Story, state: State) -> list[tuple[Scene, Choice | None]]:
    """Each scene visited in this playthrough with the choice taken there (None for the current one).

    A save brought forward from an edited story may hold a path that no longer replays; the
    history then stops where the path breaks and ends with the current scene.
    """
    steps: list[tuple[Scene, Choice | None]] = []
    current = new_game(story)
    for choice_id in state.path:
        scene = story.scenes[current.scene]
        try:
            following = choose(story, current, choice_id)
        except ChoiceError:
            break
        steps.append((scene, scene.choice(choice_id)))
        current = following
    steps.append((story.scenes[state.scene], None))
    return steps


def _apply(effects: Effects, inventory: frozenset[str],
           variables: Map[str, Value]) -> tuple[frozenset[str], Map[str, Value]]:
    """Items and variables after ``effects``: items given, then taken; values set, then added to."""
    if effects.give:
        inventory = inventory.union(effects.give)
    if effects.take:
        inventory = inventory.difference(effects.take)
    if effects.set or effects.add:
        changing = variables.mutate()
        for name, value in effects.set:
            changing[name] = value
        for name, delta in effects.add:
            changing[name] += delta
        for name, low, high in effects.bounds:  # compared, not min(max()): most adds stay in range
            value = changing[name]
            if value < low:
                changing[name] = low
            elif value > high:
                changing[name] = high
        variables = changing.finish()
    return inventory, variables


def beats_shown(story: Story, state: State) -> list[str]:
    """The plot beats of every scene this playthrough has shown, in order of first appearance."""
    seen: dict[str, None] = {}
    for scene, _ in history(story, state):
        for beat in scene.beats:
            seen.setdefault(beat, None)
    return list(seen)
