"""Screens that can open the game: they render no frame that Textual would throw away."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen

ResultType = TypeVar("ResultType")


class OpeningScreen(Screen[ResultType]):
    """A screen that may be the first one shown, pushed while the app is still starting up.

    Textual starts an app inside a batch of updates and discards every frame drawn during it, but
    a screen pushed then is laid out and rendered all the same; the first frame after the batch is
    rendered afresh. Not rendering during the batch saves a tenth of the time from the app's mount
    to its first frame, and the frame is the same. Both names are Textual's own (private, 8.2): a
    version without the batch counter renders as usual.
    """

    def _compositor_refresh(self) -> None:
        if not getattr(self.app, "_batch_count", 0):
            super()._compositor_refresh()
