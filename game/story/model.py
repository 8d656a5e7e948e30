"""The content model: an immutable, fully validated story.

A Story is built once by the loader and never changes. Every object keeps the location it came
from so that any later message (a locked choice, an analysis finding) can point at the YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from typing import Protocol

import msgspec

from game.story.problems import Loc

Value = int | bool
MAX_VALUE = 1_000_000_000
"""Largest number a story may write, either sign: far beyond any counter, small enough for any reader."""


class StateView(Protocol):
    """What the story's conditions and texts read of a playthrough (the engine's State), so that
    the content layer needs nothing from the layers above it."""

    @property
    def scene(self) -> str: ...
    @property
    def inventory(self) -> Set[str]: ...
    @property
    def variables(self) -> Mapping[str, Value]: ...
    @property
    def visits(self) -> Mapping[str, int]: ...
    @property
    def used(self) -> Set[str]: ...


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
    label: Text | None = None
    """Shown to the player in the dossier under this label (while it renders to words: a label
    such as ``${if visited flat then Saunders' regard}`` waits until he is met); None hides it."""
    low: int | None = None
    high: int | None = None
    """A counter's range: the engine keeps its value inside it (None: unbounded)."""

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
    test: Callable[[StateView], bool]
    loc: Loc

    def reads(self) -> frozenset[tuple[str, str]]:
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

    def __post_init__(self) -> None:
        """A condition decoded from data (the story cache) arrives with ``uncompiled``: its test is
        compiled here from the tree, so the data never holds anything that runs."""
        if self.test is uncompiled:
            from game.story.conditions import compile_tree

            msgspec.structs.force_setattr(self, "test", compile_tree(self.tree))


def uncompiled(state: StateView) -> bool:
    """Stands for the test of a condition being decoded, until ``Condition.__post_init__`` compiles it."""
    raise AssertionError("a decoded condition was never compiled")


class Effects(msgspec.Struct, frozen=True, gc=False):
    """Changes to the state: items given and taken, variables set and added to."""

    give: tuple[str, ...] = ()
    take: tuple[str, ...] = ()
    set: tuple[tuple[str, Value], ...] = ()
    add: tuple[tuple[str, int], ...] = ()
    bounds: tuple[tuple[str, int, int], ...] = ()
    """(counter, low, high) for each added-to counter that declares a range: kept inside it."""

    def __bool__(self) -> bool:
        return bool(self.give or self.take or self.set or self.add)


NO_EFFECTS = Effects()


class Run(msgspec.Struct, frozen=True, gc=False, tag="run"):
    """Words shown as they are."""

    text: str


class Show(msgspec.Struct, frozen=True, gc=False, tag="show"):
    """A value printed in the text: a counter (``kind`` 'variable') or a visit count ('visits')."""

    kind: str
    name: str


class Branch(msgspec.Struct, frozen=True, gc=False):
    condition: Condition
    body: Text


class Choose(msgspec.Struct, frozen=True, gc=False, tag="choose"):
    """Text that varies: the body of the first branch whose condition holds, else ``otherwise``.

    The same node serves a passage (``- if: ...`` in a scene's text list) and an inline variation
    (``${if ...: a | b}``); ``loc`` is where it starts and ``otherwise_loc`` where its else is.
    """

    branches: tuple[Branch, ...]
    otherwise: Text | None
    loc: Loc
    otherwise_loc: Loc | None = None


class Text(msgspec.Struct, frozen=True, gc=False):
    """Compiled text: runs of words, printed values and variations, rendered against a state."""

    parts: tuple[Run | Show | Choose, ...] = ()

    @property
    def fixed(self) -> str | None:
        """The text when it never varies (so callers can skip rendering), else None."""
        if all(type(part) is Run for part in self.parts):
            return "".join(part.text for part in self.parts)  # type: ignore[union-attr]
        return None

    def words(self) -> list[str]:
        """Every word written, in every branch: what a writer wrote, for counting."""
        found: list[str] = []
        for part in self.parts:
            if type(part) is Run:
                found.extend(part.text.split())
            elif type(part) is Choose:
                for branch in part.branches:
                    found.extend(branch.body.words())
                if part.otherwise is not None:
                    found.extend(part.otherwise.words())
        return found

    def chooses(self) -> list[Choose]:
        """Every variation in this text, outer ones before those nested inside them."""
        found: list[Choose] = []
        for part in self.parts:
            if type(part) is Choose:
                found.append(part)
                for branch in part.branches:
                    found.extend(branch.body.chooses())
                if part.otherwise is not None:
                    found.extend(part.otherwise.chooses())
        return found


def plain_text(text: str) -> Text:
    """Text that never varies."""
    return Text((Run(text),))


class Choice(msgspec.Struct, frozen=True, gc=False):
    id: str
    text: Text
    target: str
    condition: Condition | None
    effects: Effects
    locked_reason: Text | None
    """Shown to the player while the choice is locked (empty: the game writes the reason); None hides it."""
    loc: Loc
    once: bool = False
    """Gone once taken."""
    fallback: bool = False
    """Shown only when no other choice is open."""
    risky: bool = False
    """The writer says the prose makes the danger of this choice plain (silences the doom warning)."""


class Ending(msgspec.Struct, frozen=True, gc=False):
    kind: str
    title: str


class Scene(msgspec.Struct, frozen=True, gc=False):
    id: str
    title: str
    act: str
    text: Text
    beats: tuple[str, ...]
    on_enter: Effects
    choices: tuple[Choice, ...]
    ending: Ending | None
    loc: Loc
    risky: bool = False
    """The writer says the prose makes the danger of this scene plain (silences the doom warning)."""
    special_choices: bool = False
    """Whether any choice here is once-only or a fallback: the engine takes a slower path only then."""

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
    subtitle: str = ""
    """A line under the title (title screen, window title, --help)."""
    author: str = ""
    blurb: str = ""
    """A few sentences presenting the story to players: story.yaml's blurb, else its description."""
    description: str = ""
    """story.yaml's description, for writers."""

    def act(self, act_id: str) -> Act:
        return next(a for a in self.acts if a.id == act_id)

    @property
    def endings(self) -> tuple[Scene, ...]:
        return tuple(s for s in self.scenes.values() if s.ending is not None)

