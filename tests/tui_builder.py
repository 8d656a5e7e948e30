"""Builds the TUI for Pilot and snapshot tests without running it."""

from __future__ import annotations

from pathlib import Path

from game.bundled import bundled_scenes
from game.saves import SaveStore
from game.tui.app import DaylightsApp


class FrozenClock:
    """A clock that only moves when a test moves it, so play times in screenshots never change."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def build_app(saves: Path, scenes: Path | None = None, start: str | None = None) -> DaylightsApp:
    return DaylightsApp(scenes or bundled_scenes(), SaveStore(saves), start=start, clock=FrozenClock())
