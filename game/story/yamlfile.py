"""Reading one YAML file into position-carrying nodes, refusing anything unsafe.

Only YAML's plain data types are accepted: tags that would build Python objects, anchors and
aliases (the "billion laughs" attack) and duplicate keys are all reported as problems with their
line and column. Nothing here constructs arbitrary objects; values are read from nodes on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from game.story.problems import Loc, Problem

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # libyaml is missing: the pure-Python loader gives the same nodes, slower.
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Scene files larger than this are refused before parsing (a real act is a few dozen KiB)."""

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
FLOAT = "tag:yaml.org,2002:float"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
_PLAIN_TAGS = {STR, INT, BOOL, NULL, FLOAT, MAP, SEQ}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_READER = yaml.constructor.SafeConstructor()


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

    def loc(self, node: yaml.Node) -> Loc:
        return loc_of(self.path, node)


def read_yaml_file(path: Path) -> YamlFile:
    """Read and parse ``path``; every failure becomes a located problem, never an exception."""
    name = str(path)
    start = Loc(name, 1, 1)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return YamlFile(name, None, problems=[Problem(
                start, f"file is {size:,} bytes; scene files may be at most {MAX_FILE_BYTES:,}")])
        data = path.read_bytes()
    except OSError as exc:
        return YamlFile(name, None, problems=[Problem(start, f"cannot read file: {exc.strerror}")])
    return parse_yaml_bytes(name, data)


def parse_yaml_bytes(name: str, data: bytes) -> YamlFile:
    """Parse ``data`` (the contents of file ``name``) into nodes and check its structure."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return YamlFile(name, None, data, [Problem(
            Loc(name, line, col), f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})")])
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return YamlFile(name, None, data, [Problem(Loc(name, line, col), "file contains a NUL byte")])
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Loc(name, mark.line + 1, mark.column + 1) if mark else Loc(name)
        what = exc.problem or exc.context or "invalid YAML"
        return YamlFile(name, None, data, [Problem(where, f"invalid YAML: {what}")])
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        what = f"character U+{exc.character:04X} is not allowed" if isinstance(exc.character, int) else exc.reason
        return YamlFile(name, None, data, [Problem(Loc(name, line, col), f"invalid YAML: {what}")])
    except yaml.YAMLError as exc:
        return YamlFile(name, None, data, [Problem(Loc(name), f"invalid YAML: {str(exc).splitlines()[0]}")])
    except RecursionError:
        return YamlFile(name, None, data, [Problem(Loc(name), "invalid YAML: nested too deeply")])
    if root is None:
        return YamlFile(name, None, data, [Problem(Loc(name), "file is empty")])
    result = YamlFile(name, root, data)
    result.problems.extend(_structure_problems(name, root))
    if result.problems:
        result.root = None
    return result


def _structure_problems(name: str, root: yaml.Node) -> list[Problem]:
    """Tags, aliases and duplicate keys, found in one pass that visits each node once."""
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
                else:
                    problems.append(Problem(loc_of(name, key), "mapping keys must be plain names"))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    problems.sort(key=lambda p: (p.loc.line, p.loc.col))
    return problems


def scalar_value(node: yaml.ScalarNode) -> object:
    """The Python value of a plain scalar (str, int, bool, float or None)."""
    if node.tag == _TIMESTAMP:
        return node.value
    return _SCALAR_READER.construct_object(node)
