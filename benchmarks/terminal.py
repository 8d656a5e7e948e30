"""A command run in an 80x24 pseudo-terminal, as a player runs it: for start-up timings and tests.

The command gets its own session and the terminal's far end as stdin, stdout and stderr, so Textual
drives it with its real terminal driver. What it writes is read back with escape sequences removed,
and followed on a model of the screen's cells, so that a timing can wait for the whole first frame
(every cell written) rather than for the first words of it.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
import unicodedata
from pathlib import Path

ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")
ROWS, COLUMNS = 24, 80
_CONTROL = re.compile(r"\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])"
                      r"|[\x00-\x1f]")


class Cells:
    """Which cells of the screen have been written: enough of a terminal to tell a whole frame.

    Follows cursor moves (``CSI row;col H``, carriage return, line feed) and printed characters
    (wide ones take two cells); colours and modes change no cell and are skipped. Erasing is not
    counted as writing: a frame is finished when every cell has been given a character.
    """

    def __init__(self) -> None:
        self.written: set[tuple[int, int]] = set()
        self.row = 0
        self.column = 0
        self.pending = ""
        """The tail of the last feed that may be the start of an escape sequence cut in two."""

    @property
    def full(self) -> bool:
        return len(self.written) >= ROWS * COLUMNS

    def feed(self, text: str) -> None:
        text = self.pending + text
        cut = text.rfind("\x1b")
        whole = _CONTROL.match(text, cut) if cut >= 0 else None
        if cut >= 0 and (whole is None or whole.end() == cut + 1):  # only the escape itself: the rest is to come
            text, self.pending = text[:cut], text[cut:]
        else:
            self.pending = ""
        position = 0
        for match in _CONTROL.finditer(text):
            self._print(text[position:match.start()])
            position = match.end()
            self._control(match)
        self._print(text[position:])

    def _control(self, match: re.Match[str]) -> None:
        sequence = match.group(0)
        if sequence == "\r":
            self.column = 0
        elif sequence == "\n":
            self.row = min(self.row + 1, ROWS - 1)
        elif match.group(2) in ("H", "f") and not match.group(1).startswith("?"):
            parts = [int(part) if part.isdigit() else 1 for part in (match.group(1) or "1;1").split(";")]
            self.row = min(max(parts[0], 1), ROWS) - 1
            self.column = min(max(parts[1] if len(parts) > 1 else 1, 1), COLUMNS) - 1

    def _print(self, text: str) -> None:
        if text.isascii():  # the common case, without a width to look up per character
            self.written.update((self.row, column) for column in range(self.column, min(self.column + len(text),
                                                                                             COLUMNS)))
            self.column = min(self.column + len(text), COLUMNS - 1)
            return
        for character in text:
            width = 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
            for offset in range(width):
                if self.column + offset < COLUMNS:
                    self.written.add((self.row, self.column + offset))
            self.column = min(self.column + width, COLUMNS - 1)


class PseudoTerminal:
    """``command`` running in a fresh 80x24 pseudo-terminal; use as a context manager."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.command = command
        self.main, far_end = os.openpty()
        fcntl.ioctl(far_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.started = time.perf_counter()
        self.child = subprocess.Popen(command, stdin=far_end, stdout=far_end, stderr=far_end, env=env, cwd=cwd,
                                      start_new_session=True)
        os.close(far_end)
        self.output = b""
        self.cells = Cells()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def __enter__(self) -> PseudoTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.child.kill()
        self.child.wait()
        self.hang_up()

    def text(self) -> bytes:
        """Everything written so far, escape sequences removed."""
        return ANSI.sub(b"", self.output)

    def wait_for(self, marker: bytes, timeout: float = 60, whole_frame: bool = False) -> float:
        """Seconds from the start until ``marker`` has been written (and, with ``whole_frame``, every
        cell of the screen); raises if that never happens."""
        deadline = time.perf_counter() + timeout
        while marker not in self.text() or (whole_frame and not self.cells.full):
            ready, _, _ = select.select([self.main], [], [], max(0.0, deadline - time.perf_counter()))
            if not ready:
                raise RuntimeError(f"{' '.join(self.command)} did not show {marker!r} within {timeout} s")
            try:
                chunk = os.read(self.main, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{' '.join(self.command)} ended before showing {marker!r}: {self.text()[-500:]!r}")
            self.output += chunk
            self.cells.feed(self._decoder.decode(chunk))
        return time.perf_counter() - self.started

    def hang_up(self) -> None:
        """Close the terminal, as a dropped connection does (no SIGHUP: the command has its own session)."""
        if self.main >= 0:
            os.close(self.main)
            self.main = -1
