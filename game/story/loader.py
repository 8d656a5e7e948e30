"""Scene files (YAML) → a validated, immutable Story, or every problem found, with its place.

A story folder holds ``story.yaml`` (declarations) and one ``*.yaml`` file per act. Loading never
stops at the first mistake: it reports all of them, each as ``path:line:col: error: message``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import msgspec
import yaml

from game.gcpause import paused_gc
from game.story import conditions
from game.story import text as texts
from game.story.files import story_files
from game.story.model import (
    NO_EFFECTS,
    Act,
    Beat,
    Branch,
    Choice,
    Choose,
    Condition,
    Effects,
    Ending,
    Item,
    Run,
    Scene,
    Show,
    Story,
    Text,
    Value,
    Variable,
)
from game.story.problems import Loc, Problem, StoryError, did_you_mean
from game.story.yamlfile import BOOL, INT, NULL, STR, YamlFile, read_yaml_file, scalar_value

STORY_FILE = "story.yaml"
ENDING_KINDS = ("canonical", "alternate", "death", "failure")
STORY_KEYS = ("id", "title", "subtitle", "author", "blurb", "version", "start", "acts", "items", "variables",
              "beats", "description")
ACT_FILE_KEYS = ("act", "scenes")
SCENE_KEYS = ("title", "text", "act", "beats", "on_enter", "choices", "ending", "risky")
CHOICE_KEYS = ("id", "text", "goto", "if", "locked", "do", "once", "fallback", "risky")
PASSAGE_KEYS = ("if", "elif", "else", "text")
EFFECT_KEYS = ("give", "take", "set", "clear", "add")
ENDING_KEYS = ("kind", "title")
ITEM_KEYS = ("name", "description")
VARIABLE_KEYS = ("default", "description", "show", "range")
BEAT_KEYS = ("title", "canonical")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NAME_TAGS = (STR, INT, BOOL)

Pairs = dict[str, tuple[yaml.Node, yaml.Node]]


class _Unchecked(Exception):
    """A mapping whose keys are not distinct plain scalars, in a file whose parser left its keys
    to the loader (``YamlFile.unchecked``): the file's structure problems are to be reported."""


class _Parsed(NamedTuple):
    """A condition's source as the loader needs it at each place it is written."""

    tree: conditions.Tree | None
    errors: list[conditions.ConditionError]
    test: Callable[..., bool] | None
    shown: str
    """The source without the spaces around it."""
    lead: int
    """How many spaces come before it."""
    visits: tuple[tuple[str, int], ...]
    """Each scene whose visits it counts, with the offset where it is named."""
    items: tuple[str, ...]
    others: tuple[str, ...]
    """The items, and the other names, it reads."""


@dataclass
class _RawScene:
    id: str
    file: YamlFile
    key: yaml.Node
    body: Pairs
    act: str


@dataclass
class _Declarations:
    id: str = ""
    title: str = ""
    version: str = ""
    presentation: dict[str, str] = field(default_factory=dict)
    """subtitle, author, blurb and description: how the story presents itself to players."""
    start: str = ""
    start_node: yaml.Node | None = None
    acts: dict[str, Act] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    beats: dict[str, Beat] = field(default_factory=dict)


def load_story(folder: Path | str) -> Story:
    """Load and validate the story in ``folder``; raises StoryError listing every error."""
    story, problems = check_story(folder)
    if story is None:
        raise StoryError(problems)
    return story


def check_story(folder: Path | str) -> tuple[Story | None, list[Problem]]:
    """Load ``folder``: the story (None when there are errors) and every error and warning."""
    with paused_gc():
        return _Loader(Path(folder)).run()


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.decl = _Declarations()
        self.known: dict[str, Loc] = {}
        """Every scene id seen so far, with where it is defined."""
        self.scenes: dict[str, Scene] = {}
        self.targets: list[tuple[str, Loc, str]] = []
        self.visit_reads: list[tuple[str, Loc, str]] = []
        """Each scene id a condition or ``${visits ...}`` reads, where, and in what (for the message)."""
        self.read_items: set[str] = set()
        self.read_variables: set[str] = set()
        self.given: set[str] = set()
        self.changed: set[str] = set()
        self.sources: dict[str, str] = {}
        self.parsed: dict[tuple[str, str | None], _Parsed] = {}
        """Each distinct condition, parsed, checked and compiled (see ``condition_at``)."""
        self.idents: dict[str, str] = {}
        """Each valid name met so far, interned (see ``ident``)."""
        self.plain: dict[str, Text] = {}
        """Each text that never varies, built once however often it is written (``Go on``)."""
        self.lines: dict[int, int] = {}
        """Line numbers shared by every file's places (see ``YamlFile.lines``)."""
        self.effects_made: dict[Effects, Effects] = {}
        """Each distinct set of effects, one object however often it is written (``add: {trust: 1}``)."""
        self._text_names: texts.TextNames | None = None
        self._condition_names: conditions.Names | None = None
        self.labels: list[tuple[str, YamlFile, yaml.Node]] = []
        self.incomplete = False
        """True when a file could not be read: references into it would be false alarms."""
        self.has_declarations = False
        """Whether story.yaml declared anything: if not, the scenes are not built (each name they
        use would be reported unknown, burying the one error that matters)."""
        self.vouched: set[int] = set()
        """The mappings of the file being read whose keys were found distinct plain scalars."""

    # -- reporting ---------------------------------------------------------------------------
    def error(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(loc, message))

    def warn(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(loc, message, "warning"))

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> tuple[Story | None, list[Problem]]:
        files = self.find_files()
        if files is None:
            return None, self.problems
        story_file, act_files = files
        digest = hashlib.sha256()
        for index, path in enumerate([story_file, *act_files]):
            parsed = read_yaml_file(path, deferred=index > 0)
            parsed.lines = self.lines
            digest.update(path.name.encode() + b"\0" + parsed.text + b"\0")
            self.problems.extend(parsed.problems)
            if index == 0:
                self.has_declarations = parsed.root is not None and self.declarations(parsed)
            elif parsed.root is None:
                self.incomplete = True
            elif self.has_declarations:
                self.checked_act_file(parsed)
            else:  # every name a scene uses would be unknown: only the files' own YAML is reported
                self.incomplete = True
            del parsed  # its nodes go now, not once the next file's are built
        self.check_references()
        self.check_start()
        if not any(p.is_error for p in self.problems):
            self.usage_warnings(self.scenes)
        self.problems.sort(key=lambda p: (p.loc.path, p.loc.line, p.loc.col))
        if any(p.is_error for p in self.problems):
            return None, self.problems
        d = self.decl
        story = Story(
            id=d.id, title=d.title, version=d.version, start=d.start, acts=tuple(d.acts.values()),
            items=MappingProxyType(d.items), variables=MappingProxyType(d.variables),
            beats=tuple(d.beats.values()), scenes=MappingProxyType(self.scenes),
            fingerprint=digest.hexdigest(), root=str(self.root), subtitle=d.presentation.get("subtitle", ""),
            author=d.presentation.get("author", ""), description=d.presentation.get("description", ""),
            blurb=d.presentation.get("blurb") or d.presentation.get("description", ""))
        return story, self.problems

    def check_references(self) -> None:
        """Scene ids named by gotos and conditions, checked once every file has been read.

        Each file's scenes are built as soon as it is parsed, so that its YAML nodes can be freed
        before the next file is read; references to scenes are therefore checked at the end.
        """
        if self.incomplete:
            return
        for target, loc, message in self.targets:
            if target not in self.known:
                self.error(loc, f"{message} goes to scene '{target}', which does not exist"
                           f"{did_you_mean(target, self.known)}")
        for scene_id, loc, where in self.visit_reads:
            if scene_id not in self.known:
                self.error(loc, f"in {where}: unknown scene '{scene_id}'"
                           f"{did_you_mean(scene_id, self.known)}")

    def find_files(self) -> tuple[Path, list[Path]] | None:
        listing = story_files(self.root)
        self.problems.extend(listing.problems)
        return None if listing.story_file is None else (listing.story_file, listing.act_files)

    # -- node helpers --------------------------------------------------------------------------
    def mapping(self, f: YamlFile, node: yaml.Node, what: str) -> Pairs | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(f.loc(node), f"{what} must be a mapping of keys to values, not {_kind(node)}")
            return None
        try:
            pairs: Pairs = {pair[0].value: pair for pair in node.value}
        except TypeError:  # a key that is a list or a mapping
            raise _Unchecked from None
        if len(pairs) != len(node.value):  # a key written twice
            raise _Unchecked
        self.vouched.add(id(node))
        return pairs

    def keys(self, f: YamlFile, pairs: Pairs, node: yaml.Node, allowed: tuple[str, ...],
             required: tuple[str, ...], what: str) -> None:
        for name, (key, _) in pairs.items():
            if name not in allowed:
                self.error(f.loc(key), f"unknown key '{name}' in {what}{did_you_mean(name, allowed)}; "
                           f"expected one of: {', '.join(allowed)}")
        for name in required:
            if name not in pairs:
                self.error(f.loc(node), f"{what} is missing '{name}'")

    def text(self, f: YamlFile, node: yaml.Node, what: str) -> str | None:
        """Any scalar, as written: ``title: 1984`` is "1984" and ``No`` is "No", as an editor shows them."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(f.loc(node), f"{what} must be text, not {_kind(node)}")
            return None
        raw: str = node.value
        value = raw.strip()
        if not value or node.tag == NULL:
            self.error(f.loc(node), f"{what} is empty")
            return None
        return raw.rstrip("\n") if "\n" in raw else value

    def ident(self, f: YamlFile, node: yaml.Node, what: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in _NAME_TAGS:
            known = self.idents.get(node.value)
            if known is not None:
                return known
        else:
            self.error(f.loc(node), f"{what} must be a name, not {_kind(node)}")
            return None
        value: str = node.value
        if not _IDENT.match(value) or value in conditions.KEYWORDS:
            why = "is a reserved word" if value in conditions.KEYWORDS else \
                "must start with a letter or _ and use only letters, digits and _"
            self.error(f.loc(node), f"{what} '{value}' {why}")
            return None
        name = self.idents[value] = sys.intern(value)  # one string per name, however often it is written
        return name

    def names(self, f: YamlFile, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        """One name or a list of names."""
        nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
        found = []
        for item in nodes:
            name = self.ident(f, item, what)
            if name is not None:
                found.append((name, item))
        return found

    # -- story.yaml ----------------------------------------------------------------------------
    def declarations(self, f: YamlFile) -> bool:
        """Read story.yaml's declarations; False when it is not a mapping, so declares nothing."""
        assert f.root is not None
        pairs = self.mapping(f, f.root, STORY_FILE)
        if pairs is None:
            return False
        _read_as_meant(pairs, STORY_KEYS)
        self.keys(f, pairs, f.root, STORY_KEYS, ("id", "title", "version", "start", "acts"), STORY_FILE)
        d = self.decl
        if "id" in pairs:
            d.id = self.ident(f, pairs["id"][1], "story id") or ""
        if "title" in pairs:
            d.title = self.text(f, pairs["title"][1], "title") or ""
        if "version" in pairs:
            d.version = self.text(f, pairs["version"][1], "version") or ""
        for key in ("subtitle", "author", "blurb", "description"):
            if key in pairs:
                d.presentation[key] = self.text(f, pairs[key][1], key) or ""
        if "start" in pairs:
            d.start_node = pairs["start"][1]
            d.start = self.ident(f, d.start_node, "start scene") or ""
        if "acts" in pairs:
            for name, name_node, value in self.declared(f, pairs["acts"][1], "acts", "act"):
                title = self.text(f, value, f"title of act '{name}'")
                if title is not None:
                    d.acts[name] = Act(name, title, f.loc(name_node))
        if "items" in pairs:
            for name, name_node, value in self.declared(f, pairs["items"][1], "items", "item"):
                self.item(f, name, name_node, value)
        if "variables" in pairs:
            for name, name_node, value in self.declared(f, pairs["variables"][1], "variables", "variable"):
                self.variable(f, name, name_node, value)
        if "beats" in pairs:
            for name, name_node, value in self.declared(f, pairs["beats"][1], "beats", "beat"):
                self.beat(f, name, name_node, value)
        # Dossier labels may vary like any text, so they are compiled once every name is declared.
        for name, label_file, node in self.labels:
            label = self.inline(label_file, node, f"'show' of variable '{name}'", None)
            if label is not None:
                d.variables[name] = msgspec.structs.replace(d.variables[name], label=label)
        return True

    def declared(self, f: YamlFile, node: yaml.Node, section: str,
                 what: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """The (name, key node, value node) entries of a declaration section."""
        pairs = self.mapping(f, node, f"'{section}'")
        if pairs is None:
            return
        taken: dict[str, Item | Variable] = {**self.decl.items, **self.decl.variables}
        for name, (key, value) in pairs.items():
            if self.ident(f, key, f"{what} id") is None:
                continue
            if what in ("item", "variable") and name in taken:
                self.error(f.loc(key), f"'{name}' is declared twice (as {taken[name].__class__.__name__.lower()} "
                           f"at {taken[name].loc}); items and variables share one set of names")
                continue
            yield name, key, value

    def item(self, f: YamlFile, name: str, key: yaml.Node, value: yaml.Node) -> None:
        pairs = self.mapping(f, value, f"item '{name}'")
        if pairs is None:
            return
        self.keys(f, pairs, value, ITEM_KEYS, ("name",), f"item '{name}'")
        title = self.text(f, pairs["name"][1], f"name of item '{name}'") if "name" in pairs else None
        description = ""
        if "description" in pairs:
            description = self.text(f, pairs["description"][1], f"description of item '{name}'") or ""
        if title is not None:
            self.decl.items[name] = Item(name, title, description, f.loc(key))

    def variable(self, f: YamlFile, name: str, key: yaml.Node, value: yaml.Node) -> None:
        description = ""
        default_node = value
        pairs: Pairs = {}
        if isinstance(value, yaml.MappingNode):
            pairs = self.mapping(f, value, f"variable '{name}'") or {}
            self.keys(f, pairs, value, VARIABLE_KEYS, ("default",), f"variable '{name}'")
            if "default" not in pairs:
                return
            default_node = pairs["default"][1]
            if "description" in pairs:
                description = self.text(f, pairs["description"][1], f"description of '{name}'") or ""
        if not isinstance(default_node, yaml.ScalarNode) or default_node.tag not in (BOOL, INT):
            self.error(f.loc(default_node), f"variable '{name}' needs a default of true, false or a whole "
                       f"number (its type follows the default), not {_kind(default_node)}")
            return
        default = scalar_value(default_node)
        assert isinstance(default, (bool, int))
        if "show" in pairs:
            self.labels.append((name, f, pairs["show"][1]))
        low, high = self.value_range(f, pairs["range"][1], name, default) if "range" in pairs else (None, None)
        self.decl.variables[name] = Variable(name, default, description, f.loc(key), None, low, high)

    def value_range(self, f: YamlFile, node: yaml.Node, name: str, default: Value) -> tuple[int | None, int | None]:
        """A counter's ``range: [low, high]``; the default must lie inside it."""
        if isinstance(default, bool):
            self.error(f.loc(node), f"'{name}' is a flag; only counters (whole numbers) have a range")
            return None, None
        ends = node.value if isinstance(node, yaml.SequenceNode) else []
        if len(ends) != 2 or not all(isinstance(e, yaml.ScalarNode) and e.tag == INT for e in ends):
            self.error(f.loc(node), f"the range of '{name}' must be two whole numbers, as in 'range: [0, 5]'")
            return None, None
        low, high = (int(scalar_value(e)) for e in ends)  # type: ignore[call-overload]
        if low > high:
            self.error(f.loc(node), f"the range of '{name}' starts above its end ({low} > {high})")
            return None, None
        if not low <= default <= high:
            self.error(f.loc(node), f"the default of '{name}' ({default}) is outside its range [{low}, {high}]")
            return None, None
        return low, high

    def beat(self, f: YamlFile, name: str, key: yaml.Node, value: yaml.Node) -> None:
        if isinstance(value, yaml.ScalarNode):
            title = self.text(f, value, f"title of beat '{name}'")
            canonical: bool | None = False
        else:
            pairs = self.mapping(f, value, f"beat '{name}'")
            if pairs is None:
                return
            self.keys(f, pairs, value, BEAT_KEYS, ("title",), f"beat '{name}'")
            title = self.text(f, pairs["title"][1], f"title of beat '{name}'") if "title" in pairs else None
            canonical = self.flag(f, pairs["canonical"][1], "canonical") if "canonical" in pairs else False
        if title is not None:
            self.decl.beats[name] = Beat(name, title, bool(canonical), f.loc(key))

    def flag(self, f: YamlFile, node: yaml.Node, what: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL:
            self.error(f.loc(node), f"'{what}' must be true or false, not {_kind(node)}")
            return None
        return bool(scalar_value(node))

    def check_start(self) -> None:
        d = self.decl
        if d.start_node is None or not d.start or self.incomplete:
            return
        if d.start not in self.known:
            self.error(Loc(str(self.root / STORY_FILE), d.start_node.start_mark.line + 1,
                           d.start_node.start_mark.column + 1),
                       f"start scene '{d.start}' does not exist{did_you_mean(d.start, self.known)}")

    # -- act files -----------------------------------------------------------------------------
    def checked_act_file(self, f: YamlFile) -> None:
        """Read an act file whose parser may have left its mapping keys unchecked (``YamlFile.unchecked``):
        they are checked as its scenes are built, and a file with structure problems is reported and
        left out exactly as if its parser had found them, since its nodes may not mean what they say.
        """
        self.vouched = set()
        if not f.unchecked:
            self.act_file(f)
            return
        marks = len(self.problems), len(self.targets), len(self.visit_reads), len(self.known), len(self.scenes)
        try:
            self.act_file(f)
            problems = [] if len(self.vouched) == f.unchecked else f.check_structure()
        except _Unchecked:
            problems = f.check_structure()
            assert problems, "a mapping refused by the loader passed the structure check"
        if problems:
            del self.problems[marks[0]:], self.targets[marks[1]:], self.visit_reads[marks[2]:]
            for sid in list(self.known)[marks[3]:]:
                del self.known[sid]
            for sid in list(self.scenes)[marks[4]:]:
                del self.scenes[sid]
            self.problems.extend(problems)
            self.incomplete = True

    def act_file(self, f: YamlFile) -> None:
        assert f.root is not None
        pairs = self.mapping(f, f.root, "an act file")
        if pairs is None:
            self.incomplete = True
            return
        # A scene pushed out to column 0 is still read as a scene: one error that says so, not one
        # for the unknown key and another for every choice that leads to it.
        strays = {name: pairs.pop(name) for name in list(pairs) if name not in ACT_FILE_KEYS
                  and isinstance(pairs[name][1], yaml.MappingNode)
                  and any(k.value in ("title", "text", "choices") for k, _ in pairs[name][1].value)}
        for name, (key, _) in strays.items():
            self.error(f.loc(key), f"scene '{name}' is outside 'scenes:' (it starts at column "
                       f"{key.start_mark.column + 1}); indent it under 'scenes:' like the scenes above it")
        _read_as_meant(pairs, ACT_FILE_KEYS)
        self.keys(f, pairs, f.root, ACT_FILE_KEYS, ACT_FILE_KEYS, "an act file")
        act = self.act_ref(f, pairs["act"][1]) if "act" in pairs else None
        if "scenes" not in pairs:
            return
        scenes = self.mapping(f, pairs["scenes"][1], "'scenes'")
        for sid, (key, value) in {**(scenes or {}), **strays}.items():
            if self.ident(f, key, "scene id") is None:
                continue
            if sid in self.known:
                self.error(f.loc(key), f"scene '{sid}' is already defined at {self.known[sid]}")
                continue
            self.known[sid] = f.loc(key)
            body = self.mapping(f, value, f"scene '{sid}'")
            if body is None:
                continue
            scene_act = act
            if "act" in body:
                scene_act = self.act_ref(f, body["act"][1])
            scene = self.scene(_RawScene(sid, f, key, body, scene_act or ""))
            if scene is not None:
                self.scenes[sid] = scene

    def act_ref(self, f: YamlFile, node: yaml.Node) -> str | None:
        name = self.ident(f, node, "act")
        if name is not None and name not in self.decl.acts:
            self.error(f.loc(node), f"unknown act '{name}'{did_you_mean(name, self.decl.acts)}; "
                       f"acts are declared in {STORY_FILE}")
            return None
        return name

    # -- scenes --------------------------------------------------------------------------------
    def scene(self, raw: _RawScene) -> Scene | None:
        f, body, sid = raw.file, raw.body, raw.id
        before = len(self.problems)
        what = f"scene '{sid}'"
        self.keys(f, body, raw.key, SCENE_KEYS, ("title", "text"), what)
        title = self.text(f, body["title"][1], f"title of {what}") if "title" in body else None
        text = self.prose(f, body["text"][1], f"text of {what}", sid) if "text" in body else None
        beats = []
        if "beats" in body:
            for name, node in self.names(f, body["beats"][1], "beat"):
                if name not in self.decl.beats:
                    self.error(f.loc(node), f"unknown beat '{name}'{did_you_mean(name, self.decl.beats)}; "
                               f"beats are declared in {STORY_FILE}")
                beats.append(name)
        on_enter = self.effects(f, body["on_enter"][1], f"on_enter of {what}") if "on_enter" in body \
            else NO_EFFECTS
        ending = self.ending(f, body["ending"][1], what) if "ending" in body else None
        choices: list[Choice] = []
        if "choices" in body:
            node = body["choices"][1]
            if not isinstance(node, yaml.SequenceNode):
                self.error(f.loc(node), f"choices of {what} must be a list, not {_kind(node)}")
            else:
                seen: dict[str, Choice] = {}
                for entry in node.value:
                    choice = self.choice(f, entry, sid)
                    if choice is None:
                        continue
                    if choice.id in seen:
                        self.error(choice.loc, f"choice id '{choice.id}' is used twice in {what} "
                                   f"(first at line {seen[choice.id].loc.line})")
                        continue
                    seen[choice.id] = choice
                    choices.append(choice)
                if not any(p.is_error for p in self.problems[before:]):
                    self.same_outcome(choices, what)  # a broken effect would make false twins
        if "ending" in body and choices:
            self.error(f.loc(body["choices"][0]), f"{what} is an ending, so it cannot have choices")
        if "ending" not in body and "choices" not in body:
            self.error(f.loc(raw.key), f"{what} has no choices and is not an ending; add 'choices' "
                       "or mark it with 'ending'")
        elif "ending" not in body and "choices" in body and not choices and len(self.problems) == before:
            self.error(f.loc(body["choices"][1]), f"{what} has an empty list of choices and is not an ending")
        risky = bool(self.flag(f, body["risky"][1], "risky")) if "risky" in body else False
        if len(self.problems) > before and any(p.is_error for p in self.problems[before:]):
            return None
        assert title is not None and text is not None
        special = any(c.once or c.fallback for c in choices)
        return Scene(sid, title, raw.act, text, tuple(beats), on_enter, tuple(choices), ending, f.loc(raw.key),
                     risky, special)

    def same_outcome(self, choices: list[Choice], what: str) -> None:
        outcomes: dict[tuple[str, Effects], Choice] = {}
        for choice in choices:
            if choice.fallback:
                continue  # shown only when the others are closed: the same outcome is its point
            outcome = (choice.target, choice.effects)
            if outcome in outcomes:
                self.warn(choice.loc, f"choice '{choice.id}' in {what} leads to the same scene with the same "
                          f"effects as '{outcomes[outcome].id}'; make the choice matter or merge them")
            else:
                outcomes[outcome] = choice

    def ending(self, f: YamlFile, node: yaml.Node, what: str) -> Ending | None:
        pairs = self.mapping(f, node, f"ending of {what}")
        if pairs is None:
            return None
        self.keys(f, pairs, node, ENDING_KEYS, ENDING_KEYS, f"ending of {what}")
        kind = self.ident(f, pairs["kind"][1], "ending kind") if "kind" in pairs else None
        if kind is not None and kind not in ENDING_KINDS:
            self.error(f.loc(pairs["kind"][1]), f"unknown ending kind '{kind}'{did_you_mean(kind, ENDING_KINDS)}; "
                       f"expected one of: {', '.join(ENDING_KINDS)}")
            return None
        title = self.text(f, pairs["title"][1], f"ending title of {what}") if "title" in pairs else None
        return Ending(kind, title) if kind and title else None

    def choice(self, f: YamlFile, node: yaml.Node, sid: str) -> Choice | None:
        pairs = self.mapping(f, node, f"a choice in scene '{sid}'")
        if pairs is None:
            return None
        cid = self.ident(f, pairs["id"][1], "choice id") if "id" in pairs else None
        what = f"choice '{cid}'" if cid else f"a choice in scene '{sid}'"
        self.keys(f, pairs, node, CHOICE_KEYS, ("id", "text", "goto"), what)
        text = self.inline(f, pairs["text"][1], f"text of {what}", sid) if "text" in pairs else None
        target = None
        if "goto" in pairs:
            target_node = pairs["goto"][1]
            target = self.ident(f, target_node, "goto")
            if target is not None:
                self.targets.append((target, f.loc(target_node), what))
        condition = self.condition(f, pairs["if"][1], sid) if "if" in pairs else None
        effects = self.effects(f, pairs["do"][1], f"'do' of {what}") if "do" in pairs else NO_EFFECTS
        locked: Text | None = None
        if "locked" in pairs:
            locked_node = pairs["locked"][1]
            if isinstance(locked_node, yaml.ScalarNode) and locked_node.tag == BOOL:
                locked = Text() if scalar_value(locked_node) else None
            else:
                locked = self.inline(f, locked_node, f"'locked' of {what}", sid)
            if "if" not in pairs:
                self.warn(f.loc(locked_node), f"'locked' does nothing on {what}: it has no 'if'")
        if cid is None or text is None or target is None or ("if" in pairs and condition is None):
            return None
        flags = {name: bool(self.flag(f, pairs[name][1], name)) for name in ("once", "fallback", "risky")
                 if name in pairs} if len(pairs) > 3 else {}
        return Choice(cid, text, target, condition, effects, locked, f.loc(node), **flags)

    def condition(self, f: YamlFile, node: yaml.Node, here: str | None = None) -> Condition | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (STR, BOOL, INT):
            self.error(f.loc(node), f"'if' must be a condition such as 'has keys and trust >= 2', not {_kind(node)}")
            return None
        return self.condition_at(node.value, self.locator(f, node), 0, here)

    def condition_at(self, source: str, locate: Callable[[int], Loc], offset: int,
                     here: str | None) -> Condition | None:
        """Parse and check ``source``, which starts at ``offset`` of the scalar ``locate`` maps;
        every mistake is reported at its own column.

        The same words make the same tree and test wherever they are written (``here`` aside), so
        each is parsed, checked and compiled once per load and shared: stories repeat their
        conditions (``has keys``, ``trust >= 2``), and this was a sixth of loading a large one.
        """
        key = (source, here if conditions.HERE in source else None)
        parsed = self.parsed.get(key)
        if parsed is None:
            try:
                tree = conditions.parse(source, here)
                errors = conditions.check(tree, self.names_for_conditions())
            except conditions.ConditionError as exc:
                errors = [exc]
                tree = None
            test = conditions.compile_tree(tree) if tree is not None and not errors else None
            nodes = conditions.walk_tree(tree) if tree is not None and not errors else []
            reads = conditions.names_read(tree) if tree is not None and not errors else frozenset()
            parsed = self.parsed[key] = _Parsed(
                tree, errors, test, source.strip(), len(source) - len(source.lstrip()),
                tuple((node.scene, node.pos) for node in nodes if isinstance(node, conditions.Visits)),
                tuple(name for kind, name in reads if kind == "item"),
                tuple(name for kind, name in reads if kind != "item"))
        shown = parsed.shown
        for err in parsed.errors:
            self.error(locate(offset + err.pos), f"in condition '{shown}': {err.message}")
        if parsed.errors or parsed.tree is None or parsed.test is None:
            return None
        for scene, pos in parsed.visits:
            self.visit_reads.append((scene, locate(offset + pos), f"condition '{shown}'"))
        self.read_items.update(parsed.items)
        self.read_variables.update(parsed.others)
        return Condition(shown, parsed.tree, parsed.test, locate(offset + parsed.lead))

    # -- text ----------------------------------------------------------------------------------
    def locator(self, f: YamlFile, node: yaml.Node) -> Callable[[int], Loc]:
        """Offsets in ``node``'s value → places in the file (see ``text.scalar_locator``)."""
        start, line = node.start_mark.index, node.start_mark.line + 1
        end, style = node.end_mark.index, getattr(node, "style", None)
        value = node.value if isinstance(node, yaml.ScalarNode) else ""
        if start + len(value) == end and style is None and "\n" not in value:
            column = node.start_mark.column + 1  # a plain one-line scalar: offsets are columns

            def along(offset: int) -> Loc:
                return Loc(f.path, line, column + offset)

            return along
        if start + len(value) == end and style == "" and "\n" not in value and f.marks_agree:
            # libyaml's plain one-line scalar: what matching it to the file gives, without the file.
            first, last = node.start_mark.column + 1, node.start_mark.column + max(len(value), 1)

            def within(offset: int) -> Loc:
                return Loc(f.path, line, min(max(first, first + offset), last))

            return within

        made: list[Callable[[int], Loc]] = []

        def locate(offset: int) -> Loc:
            if not made:  # the file is decoded, and the scalar matched to it, only when a place is needed
                made.append(texts.scalar_locator(self.source_of(f), start, end, style, value, f.path, line))
            return made[0](offset)

        return locate

    def source_of(self, f: YamlFile) -> str:
        """The decoded text of a file, for locating mistakes inside its scalars (decoded only then)."""
        cached = self.sources.get(f.path)
        if cached is None:
            cached = self.sources[f.path] = f.text.decode("utf-8-sig", errors="replace")
        return cached

    def text_names(self, here: str | None) -> texts.TextNames:
        if self._text_names is None or self._text_names.here != here:
            self._text_names = texts.TextNames({k: v.name for k, v in self.decl.items.items()},
                                               {k: v.default for k, v in self.decl.variables.items()}, here)
        return self._text_names

    def inline(self, f: YamlFile, node: yaml.Node, what: str, here: str | None) -> Text | None:
        """A one-line text that may vary: choice texts and lock reasons (any scalar is text)."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(f.loc(node), f"{what} must be text, not {_kind(node)}")
            return None
        return self.compiled(f, node, what, here)

    def compiled(self, f: YamlFile, node: yaml.ScalarNode, what: str, here: str | None) -> Text | None:
        raw = node.value
        if not raw.strip() or node.tag == NULL:
            self.error(f.loc(node), f"{what} is empty")
            return None
        value = raw.rstrip("\n") if "\n" in raw else raw.strip()
        if texts.OPEN not in value:
            plain = self.plain.get(value)
            if plain is None:
                plain = self.plain[value] = Text((Run(value),))
            return plain
        locate = self.locator(f, node)
        before = len(self.problems)

        def condition(source: str, offset: int) -> Condition | None:
            return self.condition_at(source, locate, offset, here)

        def visits(scene: str, offset: int) -> None:
            self.visit_reads.append((scene, locate(offset), f"'${{visits {scene}}}'"))

        compiled, errors = texts.compile_inline(value, self.text_names(here), condition, visits, locate)
        for err in errors:
            self.error(locate(err.offset), f"in {what}: {err.message}")
        self.read_variables.update(part.name for part in _shows(compiled) if part.kind == "variable")
        return compiled if len(self.problems) == before else None

    def prose(self, f: YamlFile, node: yaml.Node, what: str, here: str) -> Text | None:
        """A scene's text: one text, or a list of texts and passages shown under conditions."""
        if isinstance(node, yaml.ScalarNode):
            return self.compiled(f, node, what, here)
        if not isinstance(node, yaml.SequenceNode):
            self.error(f.loc(node), f"{what} must be text, or a list of texts and "
                       f"'if:' passages, not {_kind(node)}")
            return None
        return self.passages(f, node, what, here, 0)

    def passages(self, f: YamlFile, node: yaml.SequenceNode, what: str, here: str, depth: int) -> Text | None:
        """A list of entries read top to bottom: texts, and ``if``/``elif``/``else`` chains."""
        if depth > texts.MAX_NESTING:
            self.error(f.loc(node), f"passages are nested more than {texts.MAX_NESTING} deep")
            return None
        if not node.value:
            self.error(f.loc(node), f"{what} is an empty list")
            return None
        before = len(self.problems)
        blocks: list[Text] = []
        chain: list[Branch] = []
        chain_loc: Loc | None = None
        open_chain = False

        def close(otherwise: Text | None = None, otherwise_loc: Loc | None = None) -> None:
            nonlocal chain, open_chain
            if open_chain and chain_loc is not None:
                blocks.append(Text((Choose(tuple(chain), otherwise, chain_loc, otherwise_loc),)))
            chain, open_chain = [], False

        for entry in node.value:
            if isinstance(entry, yaml.ScalarNode):
                close()
                block = self.compiled(f, entry, what, here)
                if block is not None:
                    blocks.append(block)
                continue
            if isinstance(entry, yaml.SequenceNode):
                close()
                block = self.passages(f, entry, what, here, depth + 1)
                if block is not None:
                    blocks.append(block)
                continue
            pairs = self.mapping(f, entry, f"a passage in {what}")
            if pairs is None:
                continue
            for name, (key, _) in pairs.items():
                if name not in PASSAGE_KEYS:
                    self.error(f.loc(key), f"unknown key '{name}' in a passage of {what}"
                               f"{did_you_mean(name, PASSAGE_KEYS)}; a passage is 'if:' with 'text:' "
                               "(and 'else:'), then optional 'elif:' and 'else:' entries")
            heads = [k for k in ("if", "elif") if k in pairs]
            if len(heads) > 1:
                self.error(f.loc(pairs[heads[1]][0]), "a passage has either 'if' or 'elif', not both")
                continue
            if heads:
                head = heads[0]
                key = pairs[head][0]
                if head == "elif" and not open_chain:
                    self.error(f.loc(key), "'elif' without an 'if' passage just before it")
                    continue
                if head == "if":
                    close()
                    chain_loc, open_chain = f.loc(key), True
                if "text" not in pairs:
                    self.error(f.loc(key), f"this '{head}' passage has no 'text' to show")
                    continue
                condition = self.condition(f, pairs[head][1], here)
                body = self.passage_text(f, pairs["text"][1], what, here, depth)
                if condition is not None and body is not None:
                    chain.append(Branch(condition, body))
                if "else" in pairs:
                    otherwise = self.passage_text(f, pairs["else"][1], what, here, depth)
                    close(otherwise, f.loc(pairs["else"][0]))
            elif "else" in pairs:
                key = pairs["else"][0]
                if not open_chain:
                    self.error(f.loc(key), "'else' without an 'if' passage just before it")
                    continue
                if "text" in pairs:
                    self.error(f.loc(pairs["text"][0]), "an 'else' entry holds its text itself: "
                               "write 'else: ...' without 'text:'")
                    continue
                close(self.passage_text(f, pairs["else"][1], what, here, depth), f.loc(key))
            elif "text" in pairs:
                self.error(f.loc(pairs["text"][0]), "a passage with 'text' needs an 'if:' or 'elif:' condition; "
                           "text shown always is written as a plain entry of the list")
        close()
        if len(self.problems) > before and any(p.is_error for p in self.problems[before:]):
            return None
        return texts.join_blocks(blocks)

    def passage_text(self, f: YamlFile, node: yaml.Node, what: str, here: str, depth: int) -> Text | None:
        if isinstance(node, yaml.ScalarNode):
            return self.compiled(f, node, what, here)
        if isinstance(node, yaml.SequenceNode):
            return self.passages(f, node, what, here, depth + 1)
        self.error(f.loc(node), f"a passage's text must be text or a list, not {_kind(node)}")
        return None

    def names_for_conditions(self) -> conditions.Names:
        """The declarations conditions may name (built once: story.yaml is read before any scene)."""
        if self._condition_names is None:
            self._condition_names = conditions.Names(
                self.decl.items, {k: v.default for k, v in self.decl.variables.items()}, None)
        return self._condition_names

    def effects(self, f: YamlFile, node: yaml.Node, what: str) -> Effects:
        pairs = self.mapping(f, node, what)
        if pairs is None:
            return NO_EFFECTS
        self.keys(f, pairs, node, EFFECT_KEYS, (), what)
        give = self.item_names(f, pairs, "give")
        take = self.item_names(f, pairs, "take")
        self.given.update(give)
        settings: list[tuple[str, Value]] = []
        adds: list[tuple[str, int]] = []
        if "set" in pairs:
            settings.extend(self.settings(f, pairs["set"][1]))
        if "clear" in pairs:
            for name, name_node in self.names(f, pairs["clear"][1], "variable"):
                if self.variable_ref(f, name_node, name, "clear", bool):
                    settings.append((name, False))
        if "add" in pairs:
            add_node = pairs["add"][1]
            for name, (key, value) in (self.mapping(f, add_node, "'add'") or {}).items():
                if not self.variable_ref(f, key, name, "add", int):
                    continue
                if not isinstance(value, yaml.ScalarNode) or value.tag != INT:
                    self.error(f.loc(value), f"'add' needs a whole number for '{name}', not {_kind(value)}")
                    continue
                number = scalar_value(value)
                assert isinstance(number, int)
                adds.append((name, number))
        bounds: tuple[tuple[str, int, int], ...] = ()
        if settings:
            self.changed.update(name for name, _ in settings)
        if adds:
            self.changed.update(name for name, _ in adds)
            variables = self.decl.variables
            bounds = tuple((name, low, high) for name, _ in adds
                           for low, high in [(variables[name].low, variables[name].high)]
                           if low is not None and high is not None)
        made = Effects(tuple(give), tuple(take), tuple(settings), tuple(adds), bounds)
        return self.effects_made.setdefault(made, made)

    def item_names(self, f: YamlFile, pairs: Pairs, verb: str) -> list[str]:
        found: list[str] = []
        if verb not in pairs:
            return found
        for name, node in self.names(f, pairs[verb][1], "item"):
            if name in self.decl.items:
                found.append(name)
            elif name in self.decl.variables:
                self.error(f.loc(node), f"cannot {verb} '{name}': it is {_a(self.decl.variables[name].kind)}, "
                           f"not an item; use 'set' or 'add'")
            else:
                self.error(f.loc(node), f"unknown item '{name}'{did_you_mean(name, self.decl.items)}; "
                           f"items are declared in {STORY_FILE}")
        return found

    def settings(self, f: YamlFile, node: yaml.Node) -> list[tuple[str, Value]]:
        """``set: flag``, ``set: [a, b]`` (flags become true) or ``set: {name: value}``."""
        if not isinstance(node, yaml.MappingNode):
            return [(name, True) for name, name_node in self.names(f, node, "variable")
                    if self.variable_ref(f, name_node, name, "set", bool)]
        found: list[tuple[str, Value]] = []
        for name, (key, value) in (self.mapping(f, node, "'set'") or {}).items():
            var = self.variable_ref(f, key, name, "set", None)
            if var is None:
                continue
            wanted = BOOL if isinstance(var.default, bool) else INT
            if not isinstance(value, yaml.ScalarNode) or value.tag != wanted:
                self.error(f.loc(value), f"'{name}' is {_a(var.kind)}; set it to "
                           f"{'true or false' if wanted == BOOL else 'a whole number'}, not {_kind(value)}")
                continue
            number = scalar_value(value)
            if var.low is not None and var.high is not None and not var.low <= number <= var.high:  # type: ignore[operator]
                self.error(f.loc(value), f"'{name}' is kept within [{var.low}, {var.high}]; {number} is outside it")
                continue
            found.append((name, number))  # type: ignore[arg-type]
        return found

    def variable_ref(self, f: YamlFile, node: yaml.Node, name: str, verb: str,
                     kind: type | None) -> Variable | None:
        var = self.decl.variables.get(name)
        if var is None:
            hint = "it is an item; use 'give' or 'take'" if name in self.decl.items else \
                f"variables are declared in {STORY_FILE}"
            self.error(f.loc(node), f"unknown variable '{name}'{did_you_mean(name, self.decl.variables)}; {hint}")
            return None
        if kind is bool and not isinstance(var.default, bool):
            self.error(f.loc(node), f"cannot {verb} '{name}' like a flag: it is an integer; use 'set: "
                       f"{{{name}: 0}}' or 'add'")
            return None
        if kind is int and isinstance(var.default, bool):
            self.error(f.loc(node), f"cannot {verb} to '{name}': it is a flag, not an integer")
            return None
        return var

    # -- whole-story warnings ------------------------------------------------------------------
    def usage_warnings(self, scenes: dict[str, Scene]) -> None:
        d = self.decl
        for item in d.items.values():
            if item.id not in self.given:
                self.warn(item.loc, f"item '{item.id}' is never given to the player")
            elif item.id not in self.read_items:
                self.warn(item.loc, f"item '{item.id}' is never needed by any condition")
        for var in d.variables.values():
            if var.id not in self.read_variables:
                self.warn(var.loc, f"variable '{var.id}' is never read by any condition")
            elif var.id not in self.changed:
                self.warn(var.loc, f"variable '{var.id}' never changes from its default")
        shown = {beat for scene in scenes.values() for beat in scene.beats}
        for beat in d.beats.values():
            if beat.id not in shown:
                self.warn(beat.loc, f"beat '{beat.id}' is not shown by any scene")
        targets = {c.target for scene in scenes.values() for c in scene.choices}
        for scene in scenes.values():
            if scene.id not in targets and scene.id != d.start:
                self.warn(scene.loc, f"no choice leads to scene '{scene.id}'")


def _read_as_meant(pairs: Pairs, allowed: tuple[str, ...]) -> None:
    """Read a misspelt section ('variabels:', 'sceens:') as the one it was meant to be: one "unknown
    key" error, instead of an error for every name declared in it or every scene it holds."""
    for name in [n for n in pairs if n not in allowed]:
        meant = difflib.get_close_matches(name, [k for k in allowed if k not in pairs], n=1, cutoff=0.6)
        if meant:
            pairs[meant[0]] = pairs[name]


def _shows(text: Text) -> list[Show]:
    """Every printed value in ``text``, in every branch."""
    found: list[Show] = []
    for part in text.parts:
        if type(part) is Show:
            found.append(part)
        elif type(part) is Choose:
            for branch in part.branches:
                found.extend(_shows(branch.body))
            if part.otherwise is not None:
                found.extend(_shows(part.otherwise))
    return found


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: 'a flag', 'an integer'."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {STR: "text", INT: "a number", BOOL: "true/false", "tag:yaml.org,2002:null": "an empty value",
            "tag:yaml.org,2002:float": "a number"}.get(node.tag, "a value")

