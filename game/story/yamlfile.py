"""Reading one YAML file into position-carrying nodes, refusing anything unsafe.

Only YAML's plain data types are accepted: tags that would build Python objects, anchors and
aliases (the "billion laughs" attack), duplicate keys, text holding control characters or
bidirectional overrides, numbers beyond a billion and nesting deeper than ``MAX_DEPTH`` are all
reported as problems with their line and column. Nesting is bounded before libyaml composes the
file, since its composer recurses in C and a few thousand levels crash the interpreter. Nothing
here constructs arbitrary objects; values are read from nodes on demand.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from game.story import yamlhints
from game.story.files import MAX_FILE_BYTES, UNSAFE_CHARACTERS, read_or_problem
from game.story.model import MAX_VALUE as MAX_INT
from game.story.problems import Loc, Problem

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # libyaml is missing: the pure-Python loader gives the same nodes, slower.
    from yaml import SafeLoader  # type: ignore[assignment]

__all__ = ["MAX_FILE_BYTES", "YamlFile", "parse_yaml_bytes", "read_yaml_file", "scalar_value"]

MAX_DEPTH = 200
"""Deepest nesting of lists and mappings accepted (a scene file needs about eight levels; libyaml's
composer needs a few hundred bytes of C stack a level, and a thread may have only 512 KiB)."""

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
FLOAT = "tag:yaml.org,2002:float"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
_PLAIN_TAGS = {STR, INT, BOOL, NULL, FLOAT, MAP, SEQ}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_UNCHECKED_TAGS = {BOOL, NULL, _TIMESTAMP}
"""Implicit tags the structure check accepts whatever the value (a plain scalar gets one only when
its value reads as one)."""
_SCALAR_READER = yaml.constructor.SafeConstructor()


class _Loader(SafeLoader):
    """PyYAML's safe loader with the same tags, resolved faster, noting what needs checking.

    PyYAML resolves each node's tag in Python: two calls per node to keep paths for path
    resolvers (this loader has none) and, for a plain scalar, a list built anew from the resolvers
    for its first character. That was a fifth of composing a file. Same resolvers, same order,
    same tags; only the bookkeeping is gone. On the way it counts the nodes whose tag it resolved
    (a node with an explicit tag is never resolved), the nodes composed and the mappings, and
    notes any implicit tag the structure check would look at (``suspect``): see ``YamlFile.unchecked``.
    """

    _by_first: dict[str | None, tuple[tuple[str, re.Pattern[str]], ...]] = {
        first: tuple(resolvers) for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.resolved = 0
        self.mappings = 0
        self.suspect = False
        self.composed = itertools.count()
        # Called for every node with nothing to do here: built-in calls cost less than Python ones.
        self.descend_resolver = {}.get  # type: ignore[method-assign,assignment]
        self.ascend_resolver = self.composed.__next__  # type: ignore[method-assign,assignment]

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        self.resolved += 1
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in self._by_first.get(value[:1], ()):
                    if pattern.match(value):
                        if tag not in _UNCHECKED_TAGS and not (tag == INT and _small_int(value)):
                            self.suspect = True
                        return tag
            return STR
        if kind is yaml.MappingNode:
            self.mappings += 1
            return MAP
        return SEQ


assert not SafeLoader.yaml_path_resolvers and None not in SafeLoader.yaml_implicit_resolvers
_PREFIX_CAP = 32
_BLOCK_PREFIX = re.compile(rf"[ \t?:-]{{{_PREFIX_CAP}}}")
"""The start of a line where a block collection could begin ``_PREFIX_CAP`` columns or further to
the right: that many characters of indentation and block indicators (``- ``, ``? ``, ``: ``)."""
_BLOCK_LINE = re.compile(rf"\n[ \t?:-]{{{_PREFIX_CAP}}}")
_FLOW_KEPT = b"[]{}\"'#!\n"
_NOT_FLOW = bytes(b for b in range(256) if b not in _FLOW_KEPT)
_FLOW_PAIR = re.compile(rb"[\[{][\]}]")
"""An innermost bracket pair on one line once every byte but brackets, quotes, comment and tag
marks is gone: its brackets are either both YAML's (adding at most two levels) or not the opener."""
_C0_AS_NUL = bytes(0 if (byte < 0x20 and byte not in b"\t\n\r") or byte == 0x7F else byte for byte in range(256))
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_SEPARATOR_OR_BIDI = re.compile(rb"\xe2(?:\x80[\xa8-\xae]|\x81[\xa6-\xa9])")
_ANCHOR = re.compile(r"(?:^|(?<=[\s\[{,]))&(?=[^\s\[\]{},])")
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)


def loc_of(path: str, node: yaml.Node) -> Loc:
    """The 1-based location where ``node`` starts."""
    mark = node.start_mark
    return Loc(path, mark.line + 1, mark.column + 1)


@dataclass
class YamlFile:
    """One parsed file: its root node (None when unreadable) and the problems met reading it."""

    path: str
    root: yaml.Node | None
    text: bytes = b""
    problems: list[Problem] = field(default_factory=list)
    marks_agree: bool = False
    """Whether every node's column is one more than the characters since the last ``\\n`` before it
    (no other character that YAML takes for a line break: CR, NEL, LS or PS)."""
    unchecked: int = 0
    """How many mappings still need their keys checked (plain scalars, each once): a file parsed
    with ``deferred`` whose other structure (tags, numbers, anchors, text) is certainly sound leaves
    that to its reader, which looks at every mapping anyway. A reader that could not vouch for them
    all calls ``check_structure``."""

    lines: dict[int, int] = field(default_factory=dict)
    """One int object per line number, which a reader may share between files: a story keeps the
    place of every scene and choice, and numbers above 256 are each an object of their own."""

    def loc(self, node: yaml.Node) -> Loc:
        mark = node.start_mark  # loc_of, without a second call: the loader asks for thousands
        line = mark.line + 1
        return Loc(self.path, self.lines.setdefault(line, line), mark.column + 1)

    def check_structure(self) -> list[Problem]:
        """The structure problems left unchecked (see ``unchecked``): none when there are none."""
        if not self.unchecked or self.root is None:
            return []
        return _structure_problems(self.path, self.root, None)


def read_yaml_file(path: Path, deferred: bool = False) -> YamlFile:
    """Read and parse ``path``; every failure becomes a located problem, never an exception
    (``deferred``: see ``parse_yaml_bytes``)."""
    data = read_or_problem(path)
    if isinstance(data, Problem):
        return YamlFile(str(path), None, problems=[data])
    return parse_yaml_bytes(str(path), data, deferred)


def parse_yaml_bytes(name: str, data: bytes, deferred: bool = False) -> YamlFile:
    """Parse ``data`` (the contents of file ``name``) into nodes and check its structure; with
    ``deferred``, mapping keys may be left to the caller (``YamlFile.unchecked``), which saves a
    walk over every node of a large file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return YamlFile(name, None, data, [Problem(
            Loc(name, line, col), f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})")])
    if "\x00" in text:
        where = _text_loc(name, text, text.index("\x00"))
        return YamlFile(name, None, data, [Problem(where, "file contains a NUL byte")])
    if _could_nest_too_deep(text, data) or ("&" in text and _ANCHOR.search(text)):
        problems = _event_problems(name, text)
        if problems:
            return YamlFile(name, None, data, problems)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, col, what = yamlhints.explain(text, exc)  # the likely cause, where it starts
        return YamlFile(name, None, data, [Problem(Loc(name, line, col), f"invalid YAML: {what}")])
    except yaml.reader.ReaderError as exc:
        what = f"character U+{exc.character:04X} is not allowed" if isinstance(exc.character, int) else exc.reason
        return YamlFile(name, None, data, [Problem(_text_loc(name, text, exc.position), f"invalid YAML: {what}")])
    except yaml.YAMLError as exc:
        return YamlFile(name, None, data, [Problem(Loc(name), f"invalid YAML: {str(exc).splitlines()[0]}")])
    except RecursionError:
        return YamlFile(name, None, data, [Problem(Loc(name), "invalid YAML: nested too deeply")])
    finally:
        loader.dispose()
    if root is None:
        return YamlFile(name, None, data, [Problem(Loc(name), "file is empty")])
    result = YamlFile(name, root, data)
    unsafe = _may_hold_unsafe_text(data)  # NEL, LS and PS are among the characters it looks for
    result.marks_agree = not unsafe and b"\r" not in data
    if (deferred and not unsafe and not loader.suspect and "&" not in text  # no anchor, so no alias
            and loader.resolved == next(loader.composed)):  # no explicit tag
        result.unchecked = loader.mappings
        return result
    result.problems.extend(_structure_problems(name, root, text if unsafe else None))
    if result.problems:
        result.root = None
    return result


def _may_hold_unsafe_text(data: bytes) -> bool:
    """Whether any value of the UTF-8 file ``data`` could hold an unsafe character: written raw (as
    its UTF-8 bytes; a raw CR is a line break YAML never keeps), or as a backslash escape. Each
    search is fast for its own first byte, unlike one regular expression over the text."""
    return (b"\\" in data or b"\0" in data.translate(_C0_AS_NUL) or _C1.search(data) is not None
            or _SEPARATOR_OR_BIDI.search(data) is not None)


def _could_nest_too_deep(text: str, data: bytes) -> bool:
    """False only when ``text`` (read from ``data``) certainly nests no deeper than ``MAX_DEPTH``: a
    bound from the text alone, far cheaper than parsing, that real scene files pass.

    Along any chain of nested block collections the starting column grows at least every second
    level, and a block collection starts after a line's indentation and indicators, so without a
    line starting with ``_PREFIX_CAP`` of those, block nesting stays within ``2 * _PREFIX_CAP``. A
    flow bracket adds at most two levels (``[a: [b]]``). Innermost one-line pairs with no quote,
    comment or tag inside are removed round by round (each round adds at most two levels inside
    what it removed), and every opening bracket left is counted, whether YAML would see it or not.
    """
    if _BLOCK_PREFIX.match(text) or _BLOCK_LINE.search(text):
        return True
    budget = (MAX_DEPTH - 2 * _PREFIX_CAP) // 2
    kept = data.translate(None, _NOT_FLOW)
    rounds = 0
    while rounds + kept.count(b"[") + kept.count(b"{") > budget:
        kept, removed = _FLOW_PAIR.subn(b"", kept)
        rounds += 1
        if not removed or rounds >= budget:
            return True
    return False


def _event_problems(name: str, text: str) -> list[Problem]:
    """Anchors, and nesting deeper than ``MAX_DEPTH``, found from libyaml's events (its parser keeps
    an explicit stack, unlike its composer). A syntax error is left for the composer to report."""
    problems: list[Problem] = []
    depth = 0
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                problems.append(Problem(_event_loc(name, event), "YAML anchors and aliases are not "
                                        "supported; write the value out in full"))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(Problem(_event_loc(name, event), f"lists and mappings are nested more "
                                            f"than {MAX_DEPTH} deep; a scene file needs only a few levels"))
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return problems


def _structure_problems(name: str, root: yaml.Node, text: str | None) -> list[Problem]:
    """Tags, aliases, duplicate keys, numbers out of range and (when ``text`` is given, because it
    holds a backslash escape or an unsafe character) unsafe text, in one pass over the nodes."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            problems.append(Problem(loc_of(name, node), "YAML anchors and aliases are not supported; "
                                    "write the value out in full"))
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS and node.tag != _TIMESTAMP:
            shown = node.tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(Problem(loc_of(name, node), f"YAML tag '{shown}' is not allowed; "
                                    "scene files hold plain text, numbers, lists and mappings"))
            continue
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value == "<<" and key.tag == "tag:yaml.org,2002:merge":
                        problems.append(Problem(loc_of(name, key), "YAML merge keys ('<<') are not supported"))
                    elif key.value in keys:
                        first = loc_of(name, keys[key.value])
                        problems.append(Problem(loc_of(name, key), f"duplicate key '{key.value}' "
                                                f"(first defined at line {first.line})"))
                    else:
                        keys[key.value] = key
                        if text is not None:
                            problems.extend(_unsafe_text(name, text, key))
                else:
                    problems.append(Problem(loc_of(name, key), "mapping keys must be plain names"))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif not isinstance(node, yaml.ScalarNode):
            continue
        elif node.tag == INT:
            if not _small_int(node.value):
                problems.extend(_bad_number(name, node))
        elif node.tag in _CHECKED_TAGS and not _CHECKED_TAGS[node.tag](node.value):
            shown = node.tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(Problem(loc_of(name, node), f"'{node.value}' cannot be read as {shown}"))
        elif text is not None:
            problems.extend(_unsafe_text(name, text, node))
    problems.sort(key=lambda p: (p.loc.line, p.loc.col))
    return problems


def _small_int(value: str) -> bool:
    """Whether an integer's ``value`` is certainly within range: up to nine plain digits."""
    return len(value) < 10 and value.isascii() and value.isdigit()


def _is_float(value: str) -> bool:
    try:
        _SCALAR_READER.construct_yaml_float(yaml.ScalarNode(FLOAT, value))
    except (ValueError, IndexError):  # PyYAML indexes the first character of an empty value
        return False
    return True


_CHECKED_TAGS: dict[str, Callable[[str], bool]] = {
    BOOL: lambda value: value.lower() in _SCALAR_READER.bool_values,
    FLOAT: _is_float,
}
"""Tags whose value a writer can force with ``!!bool`` or ``!!float``, and whether a value reads as one."""


def _bad_number(name: str, node: yaml.ScalarNode) -> list[Problem]:
    """A problem when ``node`` is not a whole number between -MAX_INT and MAX_INT."""
    try:
        value = _SCALAR_READER.construct_yaml_int(node) if len(node.value) <= 40 else None
    except (ValueError, IndexError):
        return [Problem(loc_of(name, node), f"'{node.value}' is not a whole number")]
    if value is not None and -MAX_INT <= value <= MAX_INT:
        return []
    shown = node.value if len(node.value) <= 20 else f"{node.value[:12]}... ({len(node.value):,} characters)"
    return [Problem(loc_of(name, node), f"number {shown} is out of range: numbers in scene files lie between "
                    f"-{MAX_INT:,} and {MAX_INT:,} (put it in quotes if it is text)")]


def _unsafe_text(name: str, text: str, node: yaml.ScalarNode) -> list[Problem]:
    """A problem pointing at the first unsafe character of ``node``'s value, or at the escape that
    wrote it, when there is one."""
    found = UNSAFE_CHARACTERS.search(node.value)
    if found is None:
        return []
    char = found.group()
    start, end = node.start_mark.index, node.end_mark.index
    at = text.find(char, start, end)
    if at < 0:
        at = next((e.start() for e in _ESCAPE.finditer(text, start, end)
                   if UNSAFE_CHARACTERS.search(_unescape(e.group()))), start)
    return [Problem(_text_loc(name, text, at), f"text holds U+{ord(char):04X}, {_describe(char)}; remove it")]


def _unescape(escape: str) -> str:
    r"""The character a YAML double-quoted escape such as ``\e`` or ``\x9b`` stands for."""
    if escape[1] in "xuU":
        return chr(int(escape[2:], 16)) if int(escape[2:], 16) <= 0x10FFFF else ""
    return _SHORT_ESCAPES.get(escape[1], "")


_SHORT_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
                  "e": "\x1b", "N": "\x85", "L": "\u2028", "P": "\u2029"}


def _describe(char: str) -> str:
    if char in "\u2028\u2029":
        return "a line separator (start a new line instead)"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return "a bidirectional override, which makes text read differently from what it says"
    if "\ud800" <= char <= "\udfff":
        return "half of a surrogate pair, which cannot be printed"
    return "a control character, which a terminal would obey instead of showing"


def _text_loc(name: str, text: str, offset: int) -> Loc:
    line = text.count("\n", 0, offset) + 1
    return Loc(name, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _event_loc(name: str, event: yaml.Event) -> Loc:
    mark = event.start_mark
    return Loc(name, mark.line + 1, mark.column + 1) if mark else Loc(name)


def scalar_value(node: yaml.ScalarNode) -> object:
    """The Python value of a plain scalar (str, int, bool, float or None). Numbers are bounded: a
    file's nodes are handed out only after every integer was found within ``MAX_INT``."""
    tag, value = node.tag, node.value
    if tag == INT and _small_int(value) and (value[0] != "0" or len(value) == 1):  # "010" is octal
        return int(value)
    if tag == BOOL:
        return _SCALAR_READER.bool_values[value.lower()]
    if tag == _TIMESTAMP:
        return value
    return _SCALAR_READER.yaml_constructors[node.tag](_SCALAR_READER, node)  # construct_object caches the node
