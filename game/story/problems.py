"""Where things are in scene files, and the problems found there."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

import msgspec


class Loc(msgspec.Struct, frozen=True, gc=False):
    """A 1-based line and column in a file, so every message can point at its cause."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.col}"

    def shifted(self, columns: int) -> Loc:
        """The location ``columns`` characters further along the same line."""
        return Loc(self.path, self.line, self.col + columns)


class Problem(msgspec.Struct, frozen=True, gc=False):
    """One error or warning, printed as ``path:line:col: severity: message``."""

    loc: Loc
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return one_line(f"{self.loc}: {self.severity}: {self.message}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class StoryError(Exception):
    """Raised when a story cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def one_line(text: str) -> str:
    """``text`` with unprintable characters escaped, so that a message quoting a writer's (or a
    fuzzer's) text is always exactly one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def display_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it, so messages stay short."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


MAX_HINT_CHOICES = 1_000
"""Known names beyond which no 'did you mean' is offered: each hint compares the word with every
name, so a file of many mistakes in a story of many names would take hours to check."""


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """A ' (did you mean 'x'?)' suffix for the closest known name, or nothing."""
    if len(choices) > MAX_HINT_CHOICES:
        return ""
    import difflib  # only here: a story without mistakes never needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def file_loc(path: Path | str) -> Loc:
    """The start of a file, for problems about the file as a whole."""
    return Loc(str(path), 1, 1)
