"""The Daylights Textual application: screens, keys and the command palette around a Session."""

from __future__ import annotations

import select
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from game.gcpause import start_up_done
from game.saves import SaveError, SaveInfo, SaveStore
from game.session import Session
from game.story import Story, StoryError, load_story
from game.tui.play import PlayScreen
from game.tui.screens import EndingScreen, EndingsScreen, JournalScreen, TitleScreen
from game.tui.theme import DAYLIGHTS_THEME

if TYPE_CHECKING:
    from game.speedrun import Run
from game.watch import StoryWatcher

MIN_WIDTH, MIN_HEIGHT = 80, 24
RUN_FORBIDS = {"undo", "load", "quickload", "save", "quicksave"}


class TooSmallScreen(ModalScreen[None]):
    """Covers everything while the terminal is smaller than 80x24."""

    def compose(self) -> Iterable[Static]:
        yield Static(id="too-small")

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            f"Daylights needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}.\n"
            f"This one is {width}×{height}. Make the window larger to carry on.")


class DaylightsApp(App[None]):
    """Owns the session and the screens; the screens render it and call back here."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Daylights"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, scenes: Path, store: SaveStore, story: Story | None = None,
                 problem: str | None = None, start: str | None = None,
                 clock: Callable[[], float] = time.monotonic, watch: bool = False) -> None:
        # ``start`` may also be 'speedrun' to begin a timed run at once.
        """``start``: None for the title screen, 'new', 'continue', or 'load:NAME'.

        ``clock`` drives play time; tests pass a frozen one so that screenshots are stable.
        ``watch`` reloads the story whenever its files change (for writers).
        """
        super().__init__()
        # The theme is chosen before the stylesheet is first parsed: setting it later parses every rule
        # again. Like Textual's default theme, ours is dark, so the dark-mode class and colour filter
        # that App set up stay right; only the stylesheet's variables need the new colours.
        self.register_theme(DAYLIGHTS_THEME)
        self.set_reactive(App.theme, DAYLIGHTS_THEME.name)
        self.stylesheet.set_variables(self.get_css_variables())
        self.clock = clock
        self.watcher = StoryWatcher(scenes) if watch else None
        self.timed_run: Run | None = None
        """The speedrun in progress, if this playthrough is one."""
        self.scenes = scenes
        self.store = store
        self.story = story
        self.problem = problem
        self.start = start
        self.session: Session | None = None
        self._too_small: TooSmallScreen | None = None
        self._started = False
        """Set once the first screens are up; the size guard must go on top of them."""

    # -- start-up ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.story is None and self.problem is None:
            self.reload_story()
        if self.story is None or not self.start:
            self.show_title()
        if self.story is not None and self.start:
            if self.start == "new":
                self.action_new_game()
            elif self.start == "speedrun":
                self.action_speedrun()
            elif self.start == "continue":
                self.action_continue_game()
            elif self.start.startswith("load:"):
                self.load_slot(self.start.removeprefix("load:"))
        self._started = True
        self.call_after_refresh(start_up_done)
        self.check_size(self.size.width, self.size.height)
        if self.watcher is not None:
            self.set_interval(0.5, self.poll_story)
        if not self.is_headless:
            self.set_interval(1.0, self.quit_if_terminal_gone)

    def quit_if_terminal_gone(self) -> None:
        """Leave when the terminal has hung up, as when an SSH session drops without a SIGHUP.

        Textual 8's input thread would otherwise spin on the dead terminal at full CPU for ever
        (Textualize/textual#6690). Every choice is already autosaved, so nothing is lost.
        """
        if terminal_hung_up(sys.__stdin__):
            self.exit(return_code=1)

    # -- live reload ---------------------------------------------------------------------------
    def poll_story(self) -> None:
        if self.watcher is not None and self.watcher.changed():
            self.live_reload()

    def live_reload(self) -> None:
        """Load the edited story; keep the player where they are; keep the old story on failure."""
        try:
            story = load_story(self.scenes)
        except StoryError as exc:
            errors = [str(p) for p in exc.problems if p.is_error]
            more = f"\n(and {len(errors) - 3} more)" if len(errors) > 3 else ""
            self.notify("\n".join(errors[:3]) + more, title="The edited story does not load; still playing "
                        "the previous version", severity="error", timeout=15)
            return
        self.story, self.problem = story, None
        if self.session is None:
            self.notify("Story reloaded.")
            return
        from game.migrate import MigrationError, bring_forward

        try:
            state, notes = bring_forward(story, self.session.state, what="the edit")
        except MigrationError as exc:
            self.notify(f"Story reloaded, but {exc}; you are back at the start.", severity="warning")
            state, notes = None, ()
        self.session = Session(story, self.store, state, clock=self.clock)
        screen = self.play_screen()
        if screen is not None:
            screen.use_session(self.session)
        self.notify("Story reloaded." + ("" if not notes else " " + notes[0].split(";")[0] + "."))

    def reload_story(self) -> None:
        try:
            self.story, self.problem = load_story(self.scenes), None
        except StoryError as exc:
            errors = [str(p) for p in exc.problems if p.is_error]
            more = f" (and {len(errors) - 1} more; run 'daylights check')" if len(errors) > 1 else ""
            self.story, self.problem = None, f"The story could not be loaded: {errors[0]}{more}"

    # -- the size guard ------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        if self._started:
            self.check_size(event.size.width, event.size.height)

    def check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small and self._too_small is None:
            self._too_small = TooSmallScreen()
            self.push_screen(self._too_small)
        if small and self._too_small is not None:
            self.call_after_refresh(self._too_small.show_size, width, height)
        elif not small and self._too_small is not None:
            screen, self._too_small = self._too_small, None
            if screen in self.screen_stack:
                screen.dismiss(None)

    # -- helpers for the screens ---------------------------------------------------------------
    def has_game(self) -> bool:
        return self.session is not None and self.session.ending is None

    def latest_autosave(self) -> SaveInfo | None:
        return self.store.latest_autosave(self.story) if self.story is not None else None

    def title_choice(self, choice: str) -> None:
        actions = {"resume": self.action_resume, "continue": self.action_continue_game,
                   "new": self.action_new_game, "speedrun": self.action_speedrun, "load": self.action_load,
                   "endings": self.action_endings,
                   "quit": self.exit, "reload": self.action_reload}
        actions[choice]()

    def show_title(self) -> None:
        """Put the title screen on top. It is composed only when it is shown: a game started from
        the command line paints its first frame without it."""
        self.push_screen(TitleScreen(self.story.title if self.story else "Daylights", self.problem))

    def play(self, session: Session) -> None:
        """Show ``session`` on a fresh play screen (or its ending screen), replacing every other."""
        self.session = session
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(PlayScreen(session))
        if session.ending is not None:
            self.show_ending()

    def show_ending(self) -> None:
        assert self.session is not None
        self.push_screen(EndingScreen(self.session))

    def play_screen(self) -> PlayScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, PlayScreen)), None)

    def require_story(self) -> Story | None:
        if self.story is None:
            self.notify(self.problem or "No story is loaded.", severity="error")
        return self.story

    # -- actions -------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.reload_story()
        if isinstance(self.screen, TitleScreen):
            self.pop_screen()
        self.show_title()

    def action_new_game(self) -> None:
        if self.require_story() is not None:
            assert self.story is not None
            self.timed_run = None
            self.play(Session(self.story, self.store, clock=self.clock))

    def action_speedrun(self) -> None:
        """Start a timed run: splits at each act, compared with the personal best; no undo or loading."""
        if self.require_story() is not None:
            from game.speedrun import Records, Run

            assert self.story is not None
            session = Session(self.story, self.store, clock=self.clock)
            self.timed_run = Run(self.story, session.state, Records(self.store.folder))
            self.play(session)

    def after_move(self, messages: list[str]) -> None:
        """Called by the play screen after each move, with the session's own messages."""
        assert self.session is not None
        if self.timed_run is not None:
            messages = [*messages, *self.timed_run.after_move(self.session.state)]
        for message in messages:
            self.notify(message, severity="warning" if "failed" in message else "information")
        if self.session.ending is not None:
            self.show_ending()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In a speedrun, undo and loading are switched off: the run must be played straight."""
        return not (self.timed_run is not None and action in RUN_FORBIDS)

    def action_resume(self) -> None:
        if self.session is not None and self.play_screen() is not None:
            while not isinstance(self.screen, PlayScreen | EndingScreen):
                self.pop_screen()
        elif self.session is not None:
            self.play(self.session)

    def action_continue_game(self) -> None:
        latest = self.latest_autosave()
        if latest is None:
            self.notify("There is no autosave to continue.", severity="warning")
            return
        self.load_slot(latest.slot)

    def load_slot(self, slot: str) -> None:
        story = self.require_story()
        if story is None:
            return
        session = Session(story, self.store, clock=self.clock)
        try:
            loaded = session.load(slot)
            self.timed_run = None
        except SaveError as exc:
            self.notify(str(exc), title="Cannot load", severity="error", timeout=8)
            return
        self.play(session)
        self.notify(f"Loaded '{slot}'.")
        for note in loaded.notes:
            self.notify(note, severity="warning", timeout=10)

    def action_title(self) -> None:
        """The title screen over the game in progress (Resume returns to it), or alone after an ending."""
        if self.session is not None and self.session.ending is not None:
            self.session = None
            self.timed_run = None
        keep = self.play_screen() if self.session is not None else None
        while len(self.screen_stack) > 1 and self.screen is not keep:
            self.pop_screen()
        self.show_title()

    def action_undo(self) -> None:
        if self.session is None or not self.session.undo():
            self.notify("There is nothing to undo yet.")
            return
        self.back_to_play()

    def back_to_play(self) -> None:
        """After the state changed under it, leave an ending screen and redraw the play screen."""
        if isinstance(self.screen, EndingScreen):
            self.pop_screen()
        screen = self.play_screen()
        if screen is not None:
            screen.refresh_scene()

    def action_restart(self) -> None:
        if self.session is not None:
            self.confirm("Restart from the beginning? (Undo and your saves stay.)", self.action_restart_now)

    def action_restart_now(self) -> None:
        if self.session is not None:
            self.session.restart()
            if self.timed_run is not None:
                from game.speedrun import Records, Run

                self.timed_run = Run(self.session.story, self.session.state, Records(self.store.folder))
            self.back_to_play()

    def action_journal(self) -> None:
        if self.session is not None and self.story is not None:
            self.push_screen(JournalScreen(self.story, self.session))

    def action_inventory(self) -> None:
        screen = self.play_screen()
        if screen is not None and self.screen is screen:
            screen.action_toggle_inventory()

    def action_help(self) -> None:
        from game.tui.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_endings(self) -> None:
        if self.story is not None:
            self.push_screen(EndingsScreen(self.story, self.store.endings_found(self.story)))

    def action_save(self) -> None:
        if self.session is None or self.story is None:
            self.notify("Start a game first.")
            return
        from game.tui.saves_screen import SavesScreen

        self.push_screen(SavesScreen("save", self.named_saves()), self.saves_done)

    def action_load(self) -> None:
        if self.story is not None:
            from game.tui.saves_screen import SavesScreen

            self.push_screen(SavesScreen("load", self.store.list(self.story)), self.saves_done)

    def action_quicksave(self) -> None:
        if self.session is None:
            return
        try:
            self.session.quicksave()
            self.notify("Quicksaved.")
        except SaveError as exc:
            self.notify(str(exc), title="Cannot save", severity="error", timeout=8)

    def action_quickload(self) -> None:
        if self.story is not None:
            self.load_slot("quicksave")

    def named_saves(self) -> list[SaveInfo]:
        assert self.story is not None
        return [i for i in self.store.list(self.story) if i.kind == "named"]

    # -- dialogs -------------------------------------------------------------------------------
    def confirm(self, question: str, then: object) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                then()  # type: ignore[operator]

        from game.tui.dialogs import ConfirmScreen

        self.push_screen(ConfirmScreen(question), answered)

    def saves_done(self, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        action, slot = result
        if action == "load":
            self.load_slot(slot)
        elif action == "new":
            from game.tui.dialogs import NameScreen

            self.push_screen(NameScreen(), self.named)
        elif action == "save":
            self.confirm(f"Overwrite the save '{slot}'?", lambda: self.save_to(slot))
        elif action == "delete":
            self.confirm(f"Delete the save '{slot}'? This cannot be undone.", lambda: self.delete_save(slot))

    def named(self, name: str | None) -> None:
        if name is None:
            return
        if any(i.slot == name for i in self.named_saves()):
            self.confirm(f"Overwrite the save '{name}'?", lambda: self.save_to(name))
        else:
            self.save_to(name)

    def save_to(self, slot: str) -> None:
        assert self.session is not None
        try:
            self.session.save(slot)
            self.notify(f"Saved '{slot}'.")
        except SaveError as exc:
            self.notify(str(exc), title="Cannot save", severity="error", timeout=8)

    def delete_save(self, slot: str) -> None:
        try:
            self.store.delete(slot)
            self.notify(f"Deleted '{slot}'.")
        except SaveError as exc:
            self.notify(str(exc), severity="error")

    # -- the command palette -------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New game", "Start the story from the beginning", self.action_new_game)
        yield SystemCommand("Load", "Load a saved game", self.action_load)
        yield SystemCommand("Endings", "The endings you have discovered", self.action_endings)
        yield SystemCommand("Speedrun", "A timed run to the canonical ending", self.action_speedrun)
        if self.session is not None and self.timed_run is None:
            yield SystemCommand("Save", "Save into a named slot", self.action_save)
            yield SystemCommand("Undo", "Take back the last choice", self.action_undo)
        if self.session is not None:
            yield SystemCommand("Journal", "Where you have been and what you chose", self.action_journal)
            yield SystemCommand("Inventory", "Show or hide what you carry", self.action_inventory)
        yield SystemCommand("Help", "Every key the game answers to", self.action_help)


def terminal_hung_up(stream: TextIO | None) -> bool:
    """True when ``stream`` is a terminal or pipe whose other end has gone (poll reports a hang-up)."""
    if stream is None or stream.closed or not hasattr(select, "poll"):
        return False
    poller = select.poll()
    try:
        poller.register(stream.fileno(), 0)
    except (OSError, ValueError):
        return False
    return any(events & (select.POLLHUP | select.POLLERR) for _fd, events in poller.poll(0))
