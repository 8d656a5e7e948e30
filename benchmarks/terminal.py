"""A command run in an 80x24 pseudo-terminal, as a player runs it: for start-up timings and tests.

The command gets its own session and the terminal's far end as stdin, stdout and stderr, so Textual
drives it with its real terminal driver. What it writes is read back with escape sequences removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")


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

    def __enter__(self) -> PseudoTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.child.kill()
        self.child.wait()
        self.hang_up()

    def text(self) -> bytes:
        """Everything written so far, escape sequences removed."""
        return ANSI.sub(b"", self.output)

    def wait_for(self, marker: bytes, timeout: float = 60) -> float:
        """Seconds from the start until ``marker`` has been written; raises if it never is."""
        deadline = time.perf_counter() + timeout
        while marker not in self.text():
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
        return time.perf_counter() - self.started

    def hang_up(self) -> None:
        """Close the terminal, as a dropped connection does (no SIGHUP: the command has its own session)."""
        if self.main >= 0:
            os.close(self.main)
            self.main = -1
