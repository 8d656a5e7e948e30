"""The TUI under stress: constant resizing, every key on every screen, interrupts during saves."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from game.saves import SaveStore
from game.story import Story
from game.tui.app import TooSmallScreen
from game.tui.play import PlayScreen
from tests.conftest import ROOT
from tests.tui_builder import build_app

# Every key but q, which quits from the title screen on purpose.
KEYS = [*"abcdefghijklmnoprstuvwxyz0123456789", "enter", "escape", "tab", "shift+tab", "space", "up", "down",
        "left", "right", "home", "end", "pageup", "pagedown", "backspace", "delete", "question_mark",
        *(f"f{n}" for n in range(1, 13)), "ctrl+z", "ctrl+r", "ctrl+p", "ctrl+c"]


async def test_resizing_between_40x10_and_200x60_while_playing_keeps_the_choices_on_screen(tmp_path: Path) -> None:
    app = build_app(tmp_path, start="new")
    chance = random.Random(4)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(40):
            width, height = chance.randint(40, 200), chance.randint(10, 60)
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            small = width < 80 or height < 24
            assert isinstance(app.screen, TooSmallScreen) == small
            if not small and isinstance(app.screen, PlayScreen) and app.session.ending is None:
                choices = app.screen.query_one("#choices").region
                assert choices.height > 1 and choices.bottom <= height - 1, "the choices are always on screen"
                await pilot.press(chance.choice(["1", "i", "d"]))
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)


async def test_every_key_on_every_screen_never_crashes(tmp_path: Path, bundled: Story) -> None:
    app = build_app(tmp_path)
    quits: list[object] = []
    app.exit = lambda *args, **kwargs: quits.append(args)  # Quit is a legitimate key; keep pressing
    async with app.run_test(size=(80, 24)) as pilot:
        for opener in ([], ["enter"], ["i"], ["j"], ["s"], ["l"], ["question_mark"], ["2", "2"], ["escape", "up"]):
            if app.session is None or opener == ["enter"]:
                app.action_new_game()
                await pilot.pause()
            await pilot.press(*opener)
            await pilot.pause()
            for key in KEYS:
                await pilot.press(key)
            await pilot.pause()
            assert app.is_running
            while len(app.screen_stack) > 2:
                app.pop_screen()
            await pilot.pause()
        del app.exit


async def test_ctrl_c_in_the_tui_does_not_quit_or_corrupt_saves(tmp_path: Path, bundled: Story) -> None:
    app = build_app(tmp_path, start="new")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(6):
            await pilot.press("1", "ctrl+c")
        assert app.is_running
    for info in SaveStore(tmp_path).list(bundled):
        assert info.error is None
        SaveStore(tmp_path).read(info.slot, bundled)


def test_interrupting_a_game_mid_autosave_leaves_every_save_valid(tmp_path: Path, bundled: Story) -> None:
    """A real process, real SIGINTs: undo and retake the same move forever, autosaving each time."""
    env = {**os.environ, "DAYLIGHTS_SAVES": str(tmp_path)}
    autosaves = SaveStore(tmp_path).story_folder(bundled)
    for attempt in range(6):
        started = time.time_ns()
        player = subprocess.Popen([sys.executable, "-m", "game", "play", "--plain"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        assert player.stdin is not None
        try:
            player.stdin.write(b"1\n" + b"u\n1\n" * 4_000)
            player.stdin.flush()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
                p.stat().st_mtime_ns > started for p in autosaves.glob("autosave-*.json")):
            time.sleep(0.01)
        time.sleep(0.03 * attempt)
        player.send_signal(signal.SIGINT)
        player.wait(timeout=30)
        store = SaveStore(tmp_path)
        autos = [i for i in store.list(bundled) if i.kind == "auto"]
        assert autos and all(i.error is None for i in autos)
        for info in autos:
            assert store.read(info.slot, bundled).state.scene in bundled.scenes
