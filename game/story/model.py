"""The content model: an immutable, fully validated story.

A Story is built once by the loader and never changes. Every object keeps the location it came
from so that any later message (a locked choice, an analysis finding) can point at the YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import msgspec

from game.story.problems import Loc

if TYPE_CHECKING:
    from game.engine import State

Value = int | bool


class Act(msgspec.Struct, frozen=True, gc=False):
    id: str
    title: str
    loc: Loc


class Item(msgspec.Struct, frozen=True, gc=False):
    id: str
    name: str
    description: str
    loc: Loc


class Variable(msgspec.Struct, frozen=True, gc=False):
    """A flag (bool) or counter (int), declared once with its default."""

    id: str
    default: Value
    description: str
    loc: Loc

    @property
    def kind(self) -> str:
        return "flag" if isinstance(self.default, bool) else "integer"


class Beat(msgspec.Struct, frozen=True, gc=False):
    """A plot beat of the film that scenes can show; canonical beats must appear on the film's path."""

    id: str
    title: str
    canonical: bool
    loc: Loc


class Condition(msgspec.Struct, frozen=True, gc=False):
    """A parsed condition: its source text, its syntax tree and a compiled test."""

    source: str
    tree: object
    test: Callable[[State], bool]
    loc: Loc

    def reads(self) -> frozenset[str]:
        """Names of the items, variables and scenes this condition looks at."""
        from game.story.conditions import names_read

        return names_read(self.tree)

    def __eq__(self, other: object) -> bool:
        """Equal when written the same at the same place; the compiled test is derived, not compared."""
        if type(other) is not Condition:
            return NotImplemented
        return (self.source, self.tree, self.loc) == (other.source, other.tree, other.loc)

    def __hash__(self) -> int:
        return hash((self.source, self.tree, self.loc))

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled without its compiled test, which is rebuilt from the tree (for the story cache)."""
        return _condition, (self.source, self.tree, self.loc)


def _condition(source: str, tree: object, loc: Loc) -> Condition:
    from game.story.conditions import compile_tree

    return Condition(source, tree, compile_tree(tree), loc)


class Effects(msgspec.Struct, frozen=True, gc=False):
    """Changes to the state: items given and taken, variables set and added to."""

    give: tuple[str, ...] = ()
    take: tuple[str, ...] = ()
    set: tuple[tuple[str, Value], ...] = ()
    add: tuple[tuple[str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.give or self.take or self.set or self.add)


NO_EFFECTS = Effects()


class Choice(msgspec.Struct, frozen=True, gc=False):
    id: str
    text: str
    target: str
    condition: Condition | None
    effects: Effects
    locked_reason: str | None
    """Shown to the player while the choice is locked; None hides a locked choice entirely."""
    loc: Loc


class Ending(msgspec.Struct, frozen=True, gc=False):
    kind: str
    title: str


class Scene(msgspec.Struct, frozen=True, gc=False):
    id: str
    title: str
    act: str
    text: str
    beats: tuple[str, ...]
    on_enter: Effects
    choices: tuple[Choice, ...]
    ending: Ending | None
    loc: Loc

    def choice(self, choice_id: str) -> Choice | None:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None


class Story(msgspec.Struct, frozen=True, gc=False):
    id: str
    title: str
    version: str
    start: str
    acts: tuple[Act, ...]
    items: Mapping[str, Item]
    variables: Mapping[str, Variable]
    beats: tuple[Beat, ...]
    scenes: Mapping[str, Scene]
    fingerprint: str
    """A digest of every story file's bytes: saves use it to notice that the story changed."""
    root: str
    """The folder the story was loaded from."""

    def act(self, act_id: str) -> Act:
        return next(a for a in self.acts if a.id == act_id)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled with its read-only mappings as plain dicts (for the story cache)."""
        values = {name: getattr(self, name) for name in self.__struct_fields__}
        return _story, ({k: dict(v) if isinstance(v, MappingProxyType) else v for k, v in values.items()},)

    @property
    def endings(self) -> tuple[Scene, ...]:
        return tuple(s for s in self.scenes.values() if s.ending is not None)


def _story(values: dict[str, object]) -> Story:
    return Story(**{k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in values.items()})  # type: ignore[arg-type]
