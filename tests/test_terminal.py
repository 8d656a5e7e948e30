"""The real ``daylights`` command in a real (pseudo-)terminal: what a player starting it sees."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from game import engine
from game.render import choice_text
from game.story import Story
from tests.conftest import ROOT

PseudoTerminal = pytest.importorskip("benchmarks.terminal", reason="pseudo-terminals are POSIX").PseudoTerminal


def environment() -> dict[str, str]:
    return {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_play_new_paints_the_first_scene_and_its_choices(tmp_path: Path, bundled: Story) -> None:
    start = bundled.scenes[bundled.start]
    command = [sys.executable, "-m", "game", "play", "--new", "--saves", str(tmp_path)]
    with PseudoTerminal(command, environment(), ROOT) as terminal:
        terminal.wait_for(start.title.encode())
        terminal.wait_for(choice_text(start.choices[0], engine.new_game(bundled)).encode())
        terminal.wait_for(b"Inventory")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_the_game_leaves_when_its_terminal_hangs_up_instead_of_spinning(tmp_path: Path, bundled: Story) -> None:
    command = [sys.executable, "-m", "game", "play", "--new", "--saves", str(tmp_path)]
    with PseudoTerminal(command, environment(), ROOT) as terminal:
        terminal.wait_for(bundled.scenes[bundled.start].title.encode())
        terminal.hang_up()
        deadline = time.monotonic() + 10
        while terminal.child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if terminal.child.poll() is None:
            spent = cpu_seconds(terminal.child.pid)
            time.sleep(1)
            pytest.fail(f"still running 10 s after its terminal hung up, using "
                        f"{cpu_seconds(terminal.child.pid) - spent:.1f} s of CPU a second")


def test_a_hang_up_is_told_apart_from_a_quiet_terminal() -> None:
    from game.tui.app import terminal_hung_up

    main, far_end = os.openpty()
    with os.fdopen(far_end, "r", closefd=True) as stream:
        assert not terminal_hung_up(stream)
        os.close(main)
        assert terminal_hung_up(stream)
    assert not terminal_hung_up(None)
    with open(os.devnull) as quiet:
        assert not terminal_hung_up(quiet)


def test_play_load_of_a_missing_save_says_so_on_the_title_screen(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "game", "play", "--load", "nosuch", "--saves", str(tmp_path)]
    with PseudoTerminal(command, environment(), ROOT) as terminal:
        terminal.wait_for(b"there is no save called 'nosuch'")
        terminal.wait_for(b"New game")
