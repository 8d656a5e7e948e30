"""Test helpers for ``daylights serve``: a server in a subprocess, and a terminal screen to read what it sent.

The served page draws the terminal on a canvas, so the words on it are not in the page's DOM; the
tests read them from the bytes the game sent, replayed into ``pyte``'s terminal emulator, which
also tells where on the screen a line is (for clicking it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyte

from game.serve import PLAYERS_FOLDER
from tests.conftest import ROOT

TINY_TRAIN_STORY = """\
id: train
title: The Night Train
version: "1"
start: station
acts:
  one: Act One
items:
  ticket:
    name: Train ticket
    description: A single to Vienna.
"""

TINY_TRAIN_ACT = """\
act: one
scenes:
  station:
    title: The station
    text: Steam drifts over the platform at Bratislava.
    choices:
      - id: buy_ticket
        text: Buy a ticket
        goto: platform
        do: {give: ticket}
      - id: wait
        text: Wait on the bench
        goto: station
  platform:
    title: The platform
    text: A porter whistles; the night train to Vienna is boarding.
    choices:
      - id: go_back
        text: Go back to the hall
        goto: station
      - id: board
        text: Board the night train
        goto: vienna
        if: has ticket
  vienna:
    title: Vienna
    text: The train pulls into Vienna at dawn.
    ending: {kind: canonical, title: Arrived at dawn}
"""
"""A three-scene story: a choice by key, a choice by click, an ending."""


@dataclass
class Server:
    url: str
    port: int
    players: Path
    """The folder holding each player's save folder."""
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(story: Path, saves: Path, log: Path, *extra: str) -> Iterator[Server]:
    """``daylights serve`` on a free port for the duration of the block; always stopped after it."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "game", "serve", str(story), "--port", str(port), "--saves", str(saves), *extra],
            stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = Server(f"http://127.0.0.1:{port}/", port, saves / PLAYERS_FOLDER, process, log)
    try:
        wait_until(lambda: _accepts(port) or process.poll() is not None, 60, "the server to listen")
        assert process.poll() is None, f"serve exited with {process.returncode}:\n{server.output()}"
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> int:
    """Ask the server to stop as Ctrl+C would; kill it if it has not stopped within ``timeout``."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    return process.returncode


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(ready: Callable[[], bool], timeout: float, what: str,
               pause: Callable[[], None] = lambda: time.sleep(0.05)) -> None:
    """Poll ``ready`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        pause()


def game_processes(marker: str) -> list[int]:
    """Ids of the running processes whose command line mentions ``marker`` (a test's own folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in command and "game.serve" in command:
            found.append(int(entry.name))
    return found


class TerminalScreen:
    """What the game has drawn so far, as rows of text, replayed from the bytes it sent."""

    def __init__(self, columns: int, rows: int) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)

    def resize(self, columns: int, rows: int) -> None:
        self.screen.resize(rows, columns)

    @property
    def rows(self) -> list[str]:
        return list(self.screen.display)

    @property
    def text(self) -> str:
        return "\n".join(self.rows)

    def shows(self, words: str) -> bool:
        return any(words in row for row in self.rows)

    def where(self, words: str) -> tuple[int, int]:
        """(row, column) of the first place ``words`` is shown."""
        for number, row in enumerate(self.rows):
            if words in row:
                return number, row.index(words)
        raise AssertionError(f"{words!r} is not on the screen:\n{self.text}")
