"""The condition language: parsed once at load time into a tree, then compiled to closures.

Grammar (keywords are lower case)::

    condition  := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" or ")" | "has" ITEM | "visited" SCENE | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
    operand    := NUMBER | "true" | "false" | VARIABLE | "visits" SCENE

A bare flag is true when set; integers and visit counts must be compared. Nothing is ever passed
to ``eval``: the tree is checked against the story's declarations and turned into small functions.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import msgspec

from game.story.model import MAX_VALUE
from game.story.problems import did_you_mean

if TYPE_CHECKING:
    from game.story.model import StateView as State

KEYWORDS = {"and", "or", "not", "has", "visited", "visits", "true", "false", "here", "then"}
HERE = "here"
"""Stands for the current scene after ``visits`` or ``visited``, in a scene's text and choices."""
_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|<=|>=|<|>|\(|\))"
    r"|(?P<str>\"[^\"]*\"?|'[^']*'?)|(?P<bad>\S))")
MAX_LENGTH = 1_000
"""Longest condition accepted, in characters (a long real one is under a hundred)."""
MAX_NESTING = 50
"""Most ``not``s and parentheses one inside another (each level costs the parser a few frames)."""
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt,
            "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class ConditionError(Exception):
    """A condition that does not parse or does not fit the story; ``pos`` is a 0-based column."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class Has(msgspec.Struct, frozen=True, gc=False, tag=True):
    item: str
    pos: int


class Name(msgspec.Struct, frozen=True, gc=False, tag=True):
    """A bare name: a flag when used alone, a variable when compared."""

    name: str
    pos: int


class Visits(msgspec.Struct, frozen=True, gc=False, tag=True):
    scene: str
    pos: int


class Literal(msgspec.Struct, frozen=True, gc=False, tag=True):
    value: int | bool | str
    pos: int


class Compare(msgspec.Struct, frozen=True, gc=False, tag=True):
    op: str
    left: Name | Visits | Literal
    right: Name | Visits | Literal
    pos: int


class Not(msgspec.Struct, frozen=True, gc=False, tag=True):
    operand: Tree
    pos: int


class And(msgspec.Struct, frozen=True, gc=False, tag=True):
    operands: tuple[Tree, ...]
    pos: int


class Or(msgspec.Struct, frozen=True, gc=False, tag=True):
    operands: tuple[Tree, ...]
    pos: int


Tree = Has | Name | Visits | Literal | Compare | Not | And | Or
"""A parsed condition; the nodes are tagged, so a tree can be decoded from data (the story cache)."""


class Token(msgspec.Struct, frozen=True, gc=False):
    kind: str
    text: str
    pos: int


def tokenize(source: str) -> list[Token]:
    tokens = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            break
        kind = match.lastgroup or "end"
        start = match.start(kind) if match.lastgroup else pos
        text = match.group(kind) if match.lastgroup else ""
        if kind == "bad":
            hint = " (use 'and', 'or', 'not')" if text in "&|!" else ""
            raise ConditionError(f"unexpected character '{text}'{hint}", start)
        tokens.append(Token(kind, text, start))
        pos = match.end()
    tokens.append(Token("end", "", len(source.rstrip())))
    return tokens


class _Parser:
    def __init__(self, source: str, here: str | None = None) -> None:
        if len(source) > MAX_LENGTH:
            raise ConditionError(f"condition is {len(source):,} characters long; conditions may be at most "
                                 f"{MAX_LENGTH:,} (split it with a variable)", 0)
        self.here = here
        self.tokens = tokenize(source)
        self.index = 0
        self.nesting = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, text: str) -> Token | None:
        token = self.peek()
        if token.text == text and token.kind in ("name", "op"):
            return self.take()
        return None

    def parse(self) -> Tree:
        if self.peek().kind == "end":
            raise ConditionError("condition is empty", 0)
        tree = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            raise ConditionError(f"unexpected '{token.text}' (expected 'and', 'or' or the end)", token.pos)
        return tree

    def parse_or(self) -> Tree:
        first = self.parse_and()
        operands = [first]
        while self.accept("or"):
            operands.append(self.parse_and())
        return first if len(operands) == 1 else Or(tuple(operands), _pos(first))

    def parse_and(self) -> Tree:
        first = self.parse_unary()
        operands = [first]
        while self.accept("and"):
            operands.append(self.parse_unary())
        return first if len(operands) == 1 else And(tuple(operands), _pos(first))

    def parse_unary(self) -> Tree:
        token = self.peek()
        if token.text in ("not", "(") and token.kind in ("name", "op"):
            self.nesting += 1
            if self.nesting > MAX_NESTING:
                raise ConditionError(f"more than {MAX_NESTING} 'not's and parentheses one inside another",
                                     token.pos)
            tree = self.parse_nested()
            self.nesting -= 1
            return tree
        if self.accept("has"):
            item = self.peek()
            return Has(self.expect_name("an item after 'has'"), item.pos)
        if self.accept("visited"):
            scene = self.expect_scene("a scene id after 'visited'")
            return Compare(">", Visits(scene, token.pos), Literal(0, token.pos), token.pos)
        left = self.parse_operand()
        op = self.peek()
        if op.kind == "op" and op.text in _COMPARE:
            self.take()
            return Compare(op.text, left, self.parse_operand(), op.pos)
        if isinstance(left, Name):
            return left
        raise ConditionError(f"'{token.text}' must be compared with something", token.pos)

    def parse_nested(self) -> Tree:
        token = self.take()
        if token.text == "not":
            return Not(self.parse_unary(), token.pos)
        inner = self.parse_or()
        if not self.accept(")"):
            raise ConditionError("missing ')'", self.peek().pos)
        return inner

    def parse_operand(self) -> Name | Visits | Literal:
        token = self.take()
        if token.kind == "num":
            if len(token.text) > 11 or abs(int(token.text)) > MAX_VALUE:
                raise ConditionError(f"number {token.text[:12]}{'...' if len(token.text) > 12 else ''} is out "
                                     f"of range: numbers lie between -{MAX_VALUE:,} and {MAX_VALUE:,}", token.pos)
            return Literal(int(token.text), token.pos)
        if token.kind == "str":
            return Literal(token.text.strip("\"'"), token.pos)
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal(token.text == "true", token.pos)
            if token.text == "visits":
                return Visits(self.expect_scene("a scene id after 'visits'"), token.pos)
            if token.text not in KEYWORDS:
                return Name(token.text, token.pos)
        shown = f"'{token.text}'" if token.text else "the end"
        raise ConditionError(f"expected a name or a number, found {shown}", token.pos)

    def expect_scene(self, what: str) -> str:
        """A scene id, or ``here`` for the scene the condition is written in."""
        token = self.peek()
        if token.kind == "name" and token.text == HERE:
            self.take()
            if self.here is None:
                raise ConditionError("'here' only means something in a scene's text or choices", token.pos)
            return self.here
        return self.expect_name(what)

    def expect_name(self, what: str) -> str:
        token = self.take()
        if token.kind != "name" or token.text in KEYWORDS:
            shown = f"'{token.text}'" if token.text else "the end"
            raise ConditionError(f"expected {what}, found {shown}", token.pos)
        return token.text


def _pos(tree: object) -> int:
    pos: int = tree.pos  # type: ignore[attr-defined]
    return pos


def parse(source: str, here: str | None = None) -> Tree:
    """Parse ``source`` into a tree; raises ConditionError with the column of the mistake."""
    return _Parser(source, here).parse()


class Names(msgspec.Struct, frozen=True, gc=False):
    """What a condition may refer to: the story's declarations."""

    items: Mapping[str, object]
    variables: Mapping[str, bool | int]
    """Variable id to its default value, whose type is the variable's type."""
    scenes: Mapping[str, object] | None
    """Known scene ids, or None to leave scene names to be checked later by the caller."""


def check(tree: object, names: Names) -> list[ConditionError]:
    """Every name and type mistake in ``tree``; an empty list means it can be compiled."""
    errors: list[ConditionError] = []
    _check(tree, names, errors)
    return errors


def _check(tree: object, names: Names, errors: list[ConditionError]) -> None:
    if isinstance(tree, (And, Or)):
        for operand in tree.operands:
            _check(operand, names, errors)
    elif isinstance(tree, Not):
        _check(tree.operand, names, errors)
    elif isinstance(tree, Has):
        if tree.item not in names.items:
            hint = " (it is a variable; drop 'has')" if tree.item in names.variables else \
                did_you_mean(tree.item, names.items)
            errors.append(ConditionError(f"unknown item '{tree.item}'{hint}", tree.pos))
    elif isinstance(tree, Name):
        kind = _operand_type(tree, names, errors)
        if kind == "int":
            errors.append(ConditionError(
                f"'{tree.name}' is an integer; compare it, for example '{tree.name} >= 1'", tree.pos))
    elif isinstance(tree, Compare):
        left = _operand_type(tree.left, names, errors)
        right = _operand_type(tree.right, names, errors)
        if left and right and left != right:
            errors.append(ConditionError(
                f"cannot compare {_describe(tree.left, left)} with {_describe(tree.right, right)}", tree.pos))
        elif left == "bool" and right == "bool" and tree.op not in ("==", "!="):
            errors.append(ConditionError(f"flags can only be compared with == or !=, not {tree.op}", tree.pos))
        elif left == "str":
            errors.append(ConditionError("conditions compare numbers and flags, not text", tree.pos))


def _operand_type(operand: object, names: Names, errors: list[ConditionError]) -> str | None:
    if isinstance(operand, Literal):
        value = operand.value
        return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "str"
    if isinstance(operand, Visits):
        if names.scenes is not None and operand.scene not in names.scenes:
            errors.append(ConditionError(
                f"unknown scene '{operand.scene}'{did_you_mean(operand.scene, names.scenes)}", operand.pos))
            return None
        return "int"
    assert isinstance(operand, Name)
    if operand.name in names.variables:
        return "bool" if isinstance(names.variables[operand.name], bool) else "int"
    if operand.name in names.items:
        errors.append(ConditionError(f"'{operand.name}' is an item; write 'has {operand.name}'", operand.pos))
    else:
        errors.append(ConditionError(
            f"unknown variable '{operand.name}'{did_you_mean(operand.name, names.variables)}", operand.pos))
    return None


def _describe(operand: object, kind: str) -> str:
    if isinstance(operand, Name):
        return f"{'flag' if kind == 'bool' else 'integer variable'} '{operand.name}'"
    if isinstance(operand, Visits):
        return f"the visit count of '{operand.scene}'"
    assert isinstance(operand, Literal)
    if kind == "str":
        return f"the text {operand.value!r}"
    return f"the {'flag value' if kind == 'bool' else 'number'} {str(operand.value).lower()}"


def compile_tree(tree: object) -> Callable[[State], bool]:
    """Turn a checked tree into a fast predicate over a State."""
    if isinstance(tree, Has):
        item = tree.item
        return lambda state: item in state.inventory
    if isinstance(tree, Name):
        name = tree.name
        return lambda state: state.variables[name] is True
    if isinstance(tree, Not):
        inner = compile_tree(tree.operand)
        return lambda state: not inner(state)
    if isinstance(tree, And):
        parts = tuple(compile_tree(t) for t in tree.operands)
        return lambda state: all(part(state) for part in parts)
    if isinstance(tree, Or):
        parts = tuple(compile_tree(t) for t in tree.operands)
        return lambda state: any(part(state) for part in parts)
    assert isinstance(tree, Compare)
    compare = _COMPARE[tree.op]
    left, right = _compile_operand(tree.left), _compile_operand(tree.right)
    return lambda state: compare(left(state), right(state))


def _compile_operand(operand: object) -> Callable[[State], int | bool]:
    if isinstance(operand, Literal):
        value = operand.value
        return lambda state: value  # type: ignore[return-value]
    if isinstance(operand, Visits):
        scene = operand.scene
        return lambda state: state.visits.get(scene, 0)
    assert isinstance(operand, Name)
    name = operand.name
    return lambda state: state.variables[name]


def walk_tree(tree: object) -> list[object]:
    """Every node of a tree, parents before children."""
    nodes = []
    stack = [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, (And, Or)):
            stack.extend(node.operands)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, Compare):
            stack.extend((node.left, node.right))
    return nodes


def names_read(tree: object) -> frozenset[tuple[str, str]]:
    """The ("item" | "variable" | "scene", id) pairs a tree looks at."""
    found: set[tuple[str, str]] = set()
    for node in walk_tree(tree):
        if isinstance(node, Has):
            found.add(("item", node.item))
        elif isinstance(node, Name):
            found.add(("variable", node.name))
        elif isinstance(node, Visits):
            found.add(("scene", node.scene))
    return frozenset(found)


def explain(tree: object, state: State, item_names: Mapping[str, str]) -> str:
    """A short reason, for players, why ``tree`` is false in ``state``: the missing items if any."""
    if isinstance(tree, Has):
        return f"You need the {item_names.get(tree.item, tree.item).lower()}."
    if isinstance(tree, Not) and isinstance(tree.operand, Has):
        name = item_names.get(tree.operand.item, tree.operand.item).lower()
        return f"Not while you carry the {name}."
    if isinstance(tree, And):
        failing = [t for t in tree.operands if not compile_tree(t)(state)]
        reasons = [explain(t, state, item_names) for t in failing]
        specific = [r for r in reasons if r != _GENERIC]
        return " ".join(specific) if specific else _GENERIC
    return _GENERIC


_GENERIC = "Something has to happen first."
