"""Turning YAML's syntax errors into messages a newcomer can act on.

The parser reports where it gave up, which is often lines after the mistake (an unclosed quote is
noticed at the end of the file) and in its own terms ("mapping values are not allowed in this
context"). A few mistakes make nearly all of these errors in scene files: a ': ' inside a text, a
line indented to the wrong column, a quote that is never closed or that closes early, a tab, a
bracket left open. Each heuristic here recognises one of them from the parser's marks and the
lines around them, and names the likely cause at the line where it starts. When none fits, the
parser's own words are kept: a vague message in the right place beats a confident wrong one.
"""

from __future__ import annotations

import re

import yaml

Explained = tuple[int, int, str]
"""(line, column), both 1-based, and the message without the 'invalid YAML: ' prefix."""

_KEY = re.compile(r"^(?P<indent>[ ]*)(?:- +)?(?P<key>[^\s:#'\"][^:#]*?):(?: +|$)(?P<value>.*)$")
"""A block mapping line ``key: value``, possibly the first key of a list entry (``- id: x``)."""
_BRACKETS = {"[": "]", "{": "}"}


def explain(text: str, error: yaml.MarkedYAMLError) -> Explained:
    """Where the mistake behind ``error`` most likely starts in ``text``, and what to do about it."""
    lines = text.split("\n")
    problem, context = error.problem or "", error.context or ""
    mark, start = error.problem_mark, error.context_mark
    at = (mark.line, mark.column) if mark else (start.line, start.column) if start else (0, 0)
    found = None
    for heuristic in (_tab, _unclosed_quote, _quote_closed_early, _unclosed_bracket, _colon_in_text,
                      _indentation, _reserved_start):
        found = heuristic(lines, problem, context, at, (start.line, start.column) if start else None)
        if found is not None:
            break
    line, column, message = found or (at[0] + 1, at[1] + 1, problem or context or "not valid YAML")
    if line > len(lines):  # libyaml marks the end of a file without a final newline one line further on
        line, column = len(lines), len(lines[-1]) + 1
    return line, column, message


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def _tab(lines: list[str], problem: str, context: str, at: tuple[int, int],
         start: tuple[int, int] | None) -> Explained | None:
    if "tab" not in problem and _line(lines, at[0])[at[1]:at[1] + 1] != "\t":
        return None
    for index in range(min(at[0], len(lines) - 1), -1, -1):
        indent = re.match(r"[ \t]*", lines[index])
        if indent and "\t" in indent.group():
            return index + 1, indent.group().index("\t") + 1, (
                "a tab in the indentation; YAML indents with spaces only (set your editor to insert spaces)")
    return None


def _unclosed_quote(lines: list[str], problem: str, context: str, at: tuple[int, int],
                    start: tuple[int, int] | None) -> Explained | None:
    if "quoted scalar" not in context or start is None:
        return None
    line = _line(lines, start[0])
    quote = line[start[1]:start[1] + 1] or '"'
    match = _KEY.match(line)
    key = match["key"].strip() if match else "key"
    return start[0] + 1, start[1] + 1, (
        f"the quote {quote} that starts here is never closed; end the text with {quote} on the same line, "
        f"or drop the quotes and write the text on the lines after '{key}: |'")


def _quote_closed_early(lines: list[str], problem: str, context: str, at: tuple[int, int],
                        start: tuple[int, int] | None) -> Explained | None:
    """``title: 'Kara's cello'`` or ``title: "Hi" she said``: the quote ends before the text does."""
    if "expected key" not in problem and "expected <document start>" not in problem:
        return None
    match = _KEY.match(_line(lines, at[0]))
    if match is None:
        return None
    value_col = match.start("value")
    value = match["value"]
    if value[:1] not in ("'", '"') or at[1] <= value_col:
        return None
    quote = value[0]
    advice = ("write an apostrophe inside '...' twice ('') or use double quotes" if quote == "'" else
              "write a quote inside \"...\" as \\\" or use single quotes")
    return at[0] + 1, value_col + 1, (
        f"this text starts with {quote}, so it ends at the next {quote} and the words after it are left over; "
        f"{advice}, or drop the quotes")


def _unclosed_bracket(lines: list[str], problem: str, context: str, at: tuple[int, int],
                      start: tuple[int, int] | None) -> Explained | None:
    if not context.startswith("while parsing a flow") or start is None:
        return None
    opened = _line(lines, start[0])[start[1]:start[1] + 1]
    if opened not in _BRACKETS:
        return None
    return start[0] + 1, start[1] + 1, (
        f"the '{opened}' here is never closed with '{_BRACKETS[opened]}'; close it, or if it is part of a text, "
        "put the whole text in quotes")


def _colon_in_text(lines: list[str], problem: str, context: str, at: tuple[int, int],
                   start: tuple[int, int] | None) -> Explained | None:
    """``text: He said: run`` — the second ': ' would start a key inside the value."""
    if "mapping values are not allowed" not in problem:
        return None
    line = _line(lines, at[0])
    match = _KEY.match(line)
    if match is None or at[1] <= match.start("value"):
        return None
    key = match["key"].strip()
    return at[0] + 1, match.start("value") + 1, (
        f"the ': ' at column {at[1] + 1} is inside the text of '{key}', where YAML reads it as a new key; "
        f"put the whole text in quotes (\"...\"), or write it on the lines after '{key}: |'")


def _indentation(lines: list[str], problem: str, context: str, at: tuple[int, int],
                 start: tuple[int, int] | None) -> Explained | None:
    """A line whose indentation lines up with nothing above it (or deeper than the key before it)."""
    if "expected key" not in problem and "mapping values are not allowed" not in problem \
            and "expected <block end>" not in problem:
        return None
    index = at[0]
    line = _line(lines, index)
    if not line.strip():
        return None
    column = len(line) - len(line.lstrip(" "))
    above = [(i, _line(lines, i)) for i in range(index - 1, -1, -1)
             if _line(lines, i).strip() and not _line(lines, i).lstrip().startswith("#")]
    if not above:
        return None
    previous_index, previous = above[0]
    previous_column = len(previous) - len(previous.lstrip(" "))
    if "mapping values" in problem and column > previous_column and not previous.rstrip().endswith(":"):
        return index + 1, column + 1, (
            f"this line is indented more than line {previous_index + 1} above it; keys of one mapping "
            f"line up at the same column ({previous_column + 1} here)")
    columns = sorted({len(t) - len(t.lstrip(" ")) for _, t in above})
    if column in columns:
        return None
    fits = ", ".join(str(c + 1) for c in columns if c <= previous_column + 4)
    return index + 1, column + 1, (
        f"this line starts at column {column + 1}, which lines up with no key above it; indent it to "
        f"line up with its siblings (lines above start at column {fits}), with spaces")


def _reserved_start(lines: list[str], problem: str, context: str, at: tuple[int, int],
                    start: tuple[int, int] | None) -> Explained | None:
    char = _line(lines, at[0])[at[1]:at[1] + 1]
    if "cannot start any token" not in problem or char not in "@`%":
        return None
    return at[0] + 1, at[1] + 1, f"a text cannot start with '{char}' in YAML; put the whole text in quotes"
