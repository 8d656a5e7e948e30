"""Text that answers the player: inline variations and printed values, compiled once at load.

Inside any text a writer may write::

    ${kara_trust}                      a counter's value
    ${cello}                           an item's name (fixed, so it is resolved here)
    ${visits kara_flat}                how often a scene was entered (``here``: this scene)
    ${if COND then words | elif COND then words | else words}
                                       the first clause whose condition holds; the else clause
                                       may be left out (and its ``else`` word too)
    $${                                a literal ``${``

``$`` cannot start YAML syntax and nothing here is a colon followed by a space, so this reads the
same in a plain, quoted or block scalar. The
text is parsed into a :class:`~game.story.model.Text` tree with its conditions checked against
the story's declarations; every mistake comes back with its offset in the text, which the loader
turns into a ``file:line:col`` inside the scalar.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import msgspec

from game.story import conditions
from game.story.model import Branch, Choose, Condition, Run, Show, Text
from game.story.problems import Loc, did_you_mean

OPEN = "${"
ESCAPED_OPEN = "$${"
MAX_NESTING = 8
"""Variations nested deeper than this are refused: no writer needs them, and a bound keeps
hostile text from exhausting the stack."""


class TextError(msgspec.Struct, frozen=True):
    """A mistake in text: its offset (0-based, in the scalar's value) and what is wrong."""

    offset: int
    message: str


class TextNames(msgspec.Struct, frozen=True):
    """What text may name: the story's items (id → name) and variables (id → default)."""

    items: dict[str, str]
    variables: dict[str, bool | int]
    here: str | None
    """The scene the text belongs to, which ``here`` stands for; None outside a scene."""


CompileCondition = Callable[[str, int], "Condition | None"]
"""Builds a condition from its source and offset, reporting its own errors; None when invalid."""
ShownVisits = Callable[[str, int], None]
"""Told of each ``${visits SCENE}`` and the offset of its ``${``: a scene may be defined in a file
read later, so its id is checked once every file is read, and reported where it was written."""


def compile_inline(source: str, names: TextNames, condition: CompileCondition, visits: ShownVisits,
                   locate: Callable[[int], Loc]) -> tuple[Text, list[TextError]]:
    """Compile one string of text. Conditions are built by ``condition`` (which reports its own
    mistakes); the other mistakes are returned. The text is usable only when there are none."""
    if OPEN not in source:
        return Text((Run(source),)), []
    parser = _InlineParser(source, names, condition, visits, locate)
    parts, _ = parser.parts(0, nested=False, depth=0)
    return Text(tuple(parts)), parser.errors


class _InlineParser:
    def __init__(self, source: str, names: TextNames, condition: CompileCondition, visits: ShownVisits,
                 locate: Callable[[int], Loc]) -> None:
        self.source = source
        self.names = names
        self.condition = condition
        self.visits = visits
        self.locate = locate
        self.errors: list[TextError] = []

    def error(self, offset: int, message: str) -> None:
        self.errors.append(TextError(offset, message))

    def parts(self, start: int, nested: bool, depth: int) -> tuple[list[Run | Show | Choose], int]:
        """Parts from ``start`` up to the end, or (when ``nested``) to an unnested ``|`` or ``}``."""
        source = self.source
        parts: list[Run | Show | Choose] = []
        words: list[str] = []
        i = start
        while i < len(source):
            if source.startswith(ESCAPED_OPEN, i):
                words.append(OPEN)
                i += len(ESCAPED_OPEN)
            elif source.startswith(OPEN, i):
                if words:
                    parts.append(Run("".join(words)))
                    words = []
                part, i = self.placeholder(i, depth)
                if part is not None:
                    parts.append(part)
            elif nested and source[i] in "|}":
                break
            else:
                following = _next_special(source, i, nested)
                words.append(source[i:following])
                i = following
        if words:
            parts.append(Run("".join(words)))
        return parts, i

    def placeholder(self, start: int, depth: int) -> tuple[Run | Show | Choose | None, int]:
        """The ``${...}`` starting at ``start`` and the offset just after it."""
        source = self.source
        inner = start + len(OPEN)
        if depth >= MAX_NESTING:
            self.error(start, f"variations are nested more than {MAX_NESTING} deep")
            return None, len(source)
        body = source[inner:].lstrip()
        head = len(source) - len(body)
        if _starts_word(body, "if"):
            return self.variation(start, head + 2, depth)
        close = source.find("}", inner)
        if close < 0:
            self.error(start, "'${' is never closed; add a '}' (or write '$${' for a literal '${')")
            return None, len(source)
        return self.value(start, source[inner:close]), close + 1

    def value(self, start: int, written: str) -> Run | Show | None:
        """``${name}`` or ``${visits scene}``."""
        words = written.split()
        if not words:
            self.error(start, "empty '${}': name a counter, an item or 'visits SCENE'")
            return None
        offset = start + len(OPEN) + (len(written) - len(written.lstrip()))
        if words[0] == "visits":
            if len(words) != 2:
                self.error(offset, f"write '${{visits SCENE}}', not '${{{written.strip()}}}'")
                return None
            scene = self.names.here if words[1] == conditions.HERE else words[1]
            if scene is None:
                self.error(offset, "'here' only means something in a scene's text or choices")
                return None
            self.visits(scene, start)
            return Show("visits", scene)
        name = written.strip()
        if len(words) != 1:
            self.error(offset, f"'${{{name}}}' is not a name; to vary text write "
                       "'${if CONDITION then this | else that}'")
            return None
        if name in self.names.items:
            return Run(self.names.items[name])
        default = self.names.variables.get(name)
        if default is None:
            known = [*self.names.variables, *self.names.items]
            self.error(offset, f"unknown name '{name}' in '${{{name}}}'{did_you_mean(name, known)}; "
                       "items and variables are declared in story.yaml")
            return None
        if isinstance(default, bool):
            self.error(offset, f"'{name}' is a flag and has no value to print; write "
                       f"'${{if {name} then this | else that}}' to vary the text with it")
            return None
        return Show("variable", name)

    def variation(self, start: int, keyword_end: int, depth: int) -> tuple[Choose | None, int]:
        """``${if C then a | elif C then b | else c}``; ``keyword_end`` is the offset just after ``if``."""
        source = self.source
        branches: list[Branch] = []
        otherwise: Text | None = None
        otherwise_loc: Loc | None = None
        ok = True
        cursor = keyword_end
        while True:
            then = _condition_end(source, cursor)
            if then < 0:
                written = source[cursor:]
                self.error(cursor + len(written) - len(written.lstrip()), "expected 'then' after the condition, as in "
                           "'${if has key then words | else other words}'")
                return None, len(source)
            written = source[cursor:then]
            condition = self.condition(written, cursor)
            ok = ok and condition is not None
            parts, end = self.parts(then + len(THEN), nested=True, depth=depth + 1)
            if condition is not None:
                branches.append(Branch(condition, _trimmed(parts)))
            if end >= len(source):
                self.error(start, "'${if' is never closed; add a '}' at the end of the variation")
                return None, len(source)
            if source[end] == "}":
                break
            following = end + 1
            rest = source[following:].lstrip()
            skipped = len(source) - len(rest)
            if _starts_word(rest, "elif"):
                cursor = skipped + 4
                continue
            otherwise_loc = self.locate(skipped)
            if _starts_word(rest, "else"):
                following = skipped + 4
            parts, end = self.parts(following, nested=True, depth=depth + 1)
            otherwise = _trimmed(parts)
            if end >= len(source):
                self.error(start, "'${if' is never closed; add a '}' at the end of the variation")
                return None, len(source)
            if source[end] == "|":
                self.error(end, "a variation has one clause after its last condition; start another "
                           "with 'elif CONDITION then' (a '|' always separates clauses)")
                close = source.find("}", end)
                return None, len(source) if close < 0 else close + 1
            break
        if not ok:
            return None, end + 1
        return Choose(tuple(branches), otherwise, self.locate(start), otherwise_loc), end + 1


def _next_special(source: str, i: int, nested: bool) -> int:
    """The offset of the next character that may start or end something, after ``i``."""
    stops = [source.find("$", i + 1)]
    if nested:
        stops += [source.find("|", i + 1), source.find("}", i + 1)]
    found = [s for s in stops if s >= 0]
    return min(found) if found else len(source)


THEN = "then"
_THEN = re.compile(r"(?<![A-Za-z0-9_])then(?![A-Za-z0-9_])")


def _condition_end(source: str, start: int) -> int:
    """Where the word ``then`` that ends a condition starting at ``start`` begins (conditions never
    contain it: it is a reserved word), or -1 when the variation closes first."""
    match = _THEN.search(source, start)
    close = source.find("}", start)
    if match is None or (0 <= close < match.start()):
        return -1
    return match.start()


def _starts_word(text: str, word: str) -> bool:
    """Whether ``text`` starts with ``word`` as a whole word."""
    return text.startswith(word) and (len(text) == len(word) or not (text[len(word)].isalnum()
                                                                       or text[len(word)] == "_"))


def _trimmed(parts: list[Run | Show | Choose]) -> Text:
    """A clause without the one space on each side that belongs to the syntax: ``${if a then
    smiles | else frowns}`` gives 'smiles' and 'frowns', ``butler${if a then  again}`` ' again'."""
    if parts and type(parts[0]) is Run and parts[0].text[:1].isspace():
        parts[0] = Run(parts[0].text[1:])
    if parts and type(parts[-1]) is Run and parts[-1].text[-1:].isspace():
        parts[-1] = Run(parts[-1].text[:-1])
    return Text(tuple(p for p in parts if type(p) is not Run or p.text))


def join_blocks(blocks: list[Text]) -> Text:
    """Paragraph blocks of a scene's text list, one after another, with a paragraph break between."""
    parts: list[Run | Show | Choose] = []
    for block in blocks:
        if parts:
            parts.append(Run("\n\n"))
        parts.extend(block.parts)
    return Text(tuple(parts))


def scalar_locator(text: str, start: int, end: int, style: str | None, value: str,
                   path: str, line: int) -> Callable[[int], Loc]:
    """Map an offset in a scalar's value to its line and column in the file.

    ``text`` is the decoded file, ``start``/``end`` the scalar's character span (``line`` is the
    1-based line of ``start``), ``style`` its YAML style and ``value`` its parsed value. The
    value's characters are matched to the source in order, each to the first place it can be at,
    skipping indentation, quotes and folded line breaks, so a mistake inside a block of prose is
    reported where it is, not at the key. The match is made only as far as the offsets asked for,
    and a run of characters written as they are is matched at once (a character found where the
    match stands is always matched there), so locating costs one line's work, not one character's.
    """
    matched: list[int] = []
    """Where each value character matched so far is; when ``done``, a last entry for offsets beyond."""
    newlines: list[int] = []
    cursor = start
    if style in ("|", ">"):
        newline = text.find("\n", start, end)
        cursor = newline + 1 if newline >= 0 else start
    elif style in ("'", '"'):
        cursor = start + 1
    found = cursor
    done = False

    def common(i: int, v: int, limit: int) -> int:
        """The longest run, at most ``limit``, of ``value`` from ``v`` written as it is at ``i``."""
        if text.startswith(value[v:v + limit], i, end):
            return limit
        low, high = 1, limit - 1  # text[i] == value[v] is known
        while low < high:
            middle = (low + high + 1) // 2
            if text.startswith(value[v:v + middle], i, end):
                low = middle
            else:
                high = middle - 1
        return low

    def match(upto: int) -> None:
        """Match the value up to offset ``upto`` (or to its end, or to a character not found)."""
        nonlocal cursor, found, done
        i = cursor
        while not done and len(matched) <= upto:
            v = len(matched)
            if v == len(value):
                done = True
            elif i < end and text[i] == value[v]:
                line_end = text.find("\n", i, end)
                run = common(i, v, min(len(value) - v, (end if line_end < 0 else line_end + 1) - i))
                matched.extend(range(i, i + run))
                i += run
                found = i - 1
                continue
            else:
                char = value[v]
                j = text.find(char, i, end)
                if char == " ":  # a line break that a folded scalar turned into a space
                    folded = text.find("\n", i, end)
                    if folded >= 0 and (j < 0 or folded < j):
                        j = folded
                if j >= 0:
                    found = j
                    matched.append(j)
                    i = j + 1
                    continue
                done = True
            matched.append(found)  # offsets past the last match stay at the last place found
        cursor = i

    def locate(offset: int) -> Loc:
        wanted = max(0, offset)
        match(wanted)
        place = matched[min(wanted, len(matched) - 1)]
        if not newlines:
            newlines.append(-1)
            newlines.extend(m.start() for m in _NEWLINE.finditer(text, start, end))
        above = bisect.bisect_left(newlines, place, 1)
        before = newlines[above - 1] if above > 1 else text.rfind("\n", 0, start)
        return Loc(path, line + above - 1, place - before)

    return locate


_NEWLINE = re.compile("\n")
