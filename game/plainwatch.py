"""Plain mode with ``--watch``: the story is reloaded between commands whenever a file changes.

The TUI polls twice a second; plain mode reads one line at a time, so it looks for edits just
before carrying out each command. The reload itself (load afresh, bring the player's state across,
keep the old story when the edit does not load) is ``game.reload``'s, shared with the TUI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from game.engine import State
from game.plain import PlainGame, is_choice_number, render_scene
from game.reload import reload_story
from game.saves import SaveStore
from game.session import Session
from game.story.model import Story
from game.watch import StoryWatcher


class WatchedPlainGame(PlainGame):
    """A plain-mode session that picks up a writer's edits to the story folder between commands."""

    def __init__(self, folder: Path, story: Story, stdin: TextIO, stdout: TextIO, store: SaveStore | None = None,
                 state: State | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(story, stdin, stdout, store, state, clock)
        self.folder = folder
        self.watcher = StoryWatcher(folder)

    def command(self, line: str) -> bool:
        """Reload first when the story changed; a choice number typed against the old scene is not
        taken, since the same number may now mean another choice."""
        if self.watcher.changed() and self.reload() and is_choice_number(line.strip()):
            self.say("(The scene may have changed; choose again.)")
            return True
        return super().command(line)

    def reload(self) -> bool:
        """Bring the edited story in; True when the player now sees the edited story."""
        result = reload_story(self.folder, self.session.state)
        self.say(f"({result.summary})")
        for detail in result.details:
            self.say(f"  {detail}")
        if result.story is None:
            return False
        self.story = result.story
        self.session = Session(result.story, self.session.store, result.state, self.session.clock)
        self.say("")
        self.say(render_scene(self.story, self.session.state))
        return True
