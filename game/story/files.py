"""Which files make up a story folder, and reading one of them without trusting it.

A story folder may come from a stranger, so nothing in it is read before it has passed every
limit: a file name must be UTF-8 without control characters, a symbolic link must stay inside the
folder (a loop is refused, not followed for ever), only a regular file is read (a pipe or a device
could stall or flood the reader) and only up to ``MAX_FILE_BYTES``. The loader and the story cache
both list and read a folder through this module, so the two can never apply different limits.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from game.story.problems import Loc, Problem, file_loc

STORY_FILE = "story.yaml"
MAX_FILE_BYTES = 4 * 1024 * 1024
"""Scene files larger than this are refused before reading (a real act is a few dozen KiB)."""
MAX_FILES = 10_000
"""A story folder may hold at most this many scene files (the 100,000-scene benchmark uses 101)."""

UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters no text from a file may hold: control characters other than tab and newline (a
terminal obeys escapes such as ESC, CSI and OSC), line and paragraph separators, bidirectional
overrides and isolates (they make text read differently from what it is), and lone surrogates
(they cannot be printed). Tab is allowed: it is harmless to a terminal and common in pasted prose."""


class FileRefused(Exception):
    """A file that must not be read, with the reason written for the player."""


@dataclass
class StoryFiles:
    """The files to read, in order, and the problems found listing the folder."""

    story_file: Path | None
    act_files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def story_files(root: Path) -> StoryFiles:
    """``story.yaml`` and the act files (``*.yaml``) of ``root``, each checked against every limit
    that can be checked without reading it; ``story_file`` is None when there is no usable one."""
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        return StoryFiles(None, problems=[Problem(file_loc(root), f"story folder {what}")])
    try:
        inside = root.resolve(strict=True)
        names = _scene_file_names(root)
    except (OSError, RuntimeError) as exc:
        return StoryFiles(None, problems=[Problem(file_loc(root), f"cannot list the story folder: {_why(exc)}")])
    if len(names) > MAX_FILES:
        return StoryFiles(None, problems=[Problem(file_loc(root), f"the folder holds more than {MAX_FILES:,} scene "
                                                  f"files; a story may have at most {MAX_FILES:,}")])
    found = StoryFiles(None)
    for name in sorted(names):
        path = root / name
        if name.endswith(".yml"):
            found.problems.append(Problem(file_loc(path), "ignored: scene files must end in .yaml", "warning"))
            continue
        refused = refusal(path, inside)
        if refused is None:
            if name == STORY_FILE:
                found.story_file = path
            else:
                found.act_files.append(path)
        else:
            found.problems.append(Problem(file_loc(path), *refused))
    if found.story_file is None and STORY_FILE not in names:
        found.problems.append(Problem(file_loc(root / STORY_FILE), f"no {STORY_FILE} in this folder; a story "
                                      "starts with one (see docs/AUTHORING.md)"))
    elif found.story_file is None and not found.has_errors:
        found.problems.append(Problem(file_loc(root / STORY_FILE),
                                      f"{STORY_FILE} is a folder or a link to nothing, not a file"))
    return found


def _scene_file_names(root: Path) -> list[str]:
    """The names in ``root`` ending in .yaml or .yml, reading no more than ``MAX_FILES + 1`` of them."""
    names: list[str] = []
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name.endswith((".yaml", ".yml")):
                names.append(entry.name)
                if len(names) > MAX_FILES:
                    break
    return names


def refusal(path: Path, inside: Path) -> tuple[str, str] | None:
    """Why ``path`` must not be read, and whether that is an error or only a warning; None to read it."""
    name = path.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8; rename the file", "error"
    if UNSAFE_CHARACTERS.search(name):
        return "file name contains a control character; rename the file", "error"
    try:
        target = path.resolve(strict=True)
        info = target.stat()
    except RuntimeError:
        return "symbolic link loop; refused", "error"
    except FileNotFoundError:
        return "ignored: a symbolic link to nothing (an editor's lock file?)", "warning"
    except OSError as exc:
        return f"cannot read file: {_why(exc)}", "error"
    if not target.is_relative_to(inside):
        return "symbolic link points outside the story folder; refused", "error"
    if stat.S_ISDIR(info.st_mode):
        return "ignored: a folder, not a scene file", "warning"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device); refused", "error"
    return None


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``; raises FileRefused unless it is a regular file of at most ``limit``
    bytes, and OSError when it cannot be read. Opening never blocks, even on a pipe."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("not a regular file (a pipe, socket or device); refused")
        if info.st_size > limit:
            raise FileRefused(f"file is {info.st_size:,} bytes; scene files may be at most {limit:,}")
        chunks: list[bytes] = []
        size, want = 0, info.st_size + 1
        while size <= limit and (chunk := os.read(fd, min(want, limit + 1 - size))):
            chunks.append(chunk)
            size, want = size + len(chunk), 65536
        if size > limit:
            raise FileRefused(f"file grew past {limit:,} bytes while it was read; refused")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_or_problem(path: Path) -> bytes | Problem:
    """The bytes of ``path`` as ``read_regular_file`` reads them, or the problem why they cannot be."""
    try:
        return read_regular_file(path)
    except FileRefused as exc:
        return Problem(Loc(str(path)), str(exc))
    except OSError as exc:
        return Problem(Loc(str(path)), f"cannot read file: {exc.strerror or exc}")


def _why(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError):
        return "symbolic link loop"
    assert isinstance(exc, OSError)
    return exc.strerror or str(exc)
