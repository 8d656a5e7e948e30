"""The Daylights Textual application: it holds the Session and the screens only render it.

Attributes down, messages up: the app builds each screen with what it shows (the session, the
speedrun, the menu entries) and tells it when that changed; screens post typed messages (a menu
entry chosen, a choice taken) and never call back into the app. Every key is a binding whose
action lives here or on its screen, so keys, the key bar, the help and the palette agree. The
screens a game started from the command line does not show at once (title, ending, dialogs, help)
are imported when first shown, after the first frame.
"""

from __future__ import annotations

import select
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from game.engine import State
from game.gcpause import start_up_done
from game.reload import reload_story
from game.saves import AutosaveWriter, SaveError, SaveInfo, SaveStore
from game.session import Session
from game.story import Story, StoryError
from game.story_cache import open_story
from game.tui.play import PlayScreen
from game.tui.prose import has_dossier, scene_paragraphs
from game.tui.safe import clean
from game.tui.settings import DEFAULT_THEME, Settings, read_settings, settings_path, write_settings
from game.tui.theme import DAYLIGHTS_THEME

if TYPE_CHECKING:
    from game.speedrun import Run
    from game.tui.saves_screen import SavesChoice
    from game.tui.screens import MenuEntry, TitleScreen
from game.watch import StoryWatcher

MIN_WIDTH, MIN_HEIGHT = 80, 24
StartMode = Literal["new", "continue", "speedrun"]
RUN_FORBIDS = frozenset({"undo", "load", "quickload", "save", "quicksave"})
"""Actions switched off in a speedrun: the run must be played straight."""
UNSAVED = "Your moves since you last saved are kept only in the rotating autosaves; your named saves stay."


class TooSmallScreen(ModalScreen[None]):
    """Covers everything while the terminal is smaller than 80x24."""

    def compose(self) -> Iterable[Static]:
        yield Static(id="too-small")

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            f"Daylights needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}.\n"
            f"This one is {width}×{height}. Make the window larger to carry on.")


class DaylightsApp(App[None]):
    """Owns the session, the saves and the story; shows them through the screens."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Daylights"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True,
                        tooltip="quit (every move is already autosaved)")]

    def __init__(self, scenes: Path, store: SaveStore, story: Story | None = None,
                 problem: str | None = None, start: StartMode | None = None, load: str | None = None,
                 clock: Callable[[], float] = time.monotonic, watch: bool = False,
                 settings: Path | None = None, opening: Callable[[], None] | None = None) -> None:
        """``start`` opens a game at once ('new', 'continue', 'speedrun'), ``load`` a named save.

        ``clock`` drives play time; tests pass a frozen one so that screenshots are stable.
        ``watch`` reloads the story whenever its files change (for writers). ``settings`` is the
        settings file (default: the user's config folder). ``opening`` waits for the story being
        opened in another process (``game.open_aside``) and is called before the story is opened.
        """
        super().__init__()
        self.settings_file = settings if settings is not None else settings_path()
        self.settings = read_settings(self.settings_file)
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
        self.load_on_start = load
        self.session: Session | None = None
        self.writer = AutosaveWriter(store)
        """Autosaves are written on its thread, so a key press never waits for the disk."""
        self._too_small: TooSmallScreen | None = None
        self.opening = opening
        self._started = False
        """Set once the first screens are up; the size guard must go on top of them."""

    # -- start-up ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.story is None and self.problem is None:
            self.reload_story()
        if self.settings.theme != DEFAULT_THEME and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self.remember_theme)
        if self.story is not None:
            self.open_start()
        if len(self.screen_stack) <= 1:
            self.show_title()
        self._started = True
        self.call_after_refresh(start_up_done)
        self.check_size(self.size.width, self.size.height)
        if self.watcher is not None:
            self.set_interval(0.5, self.poll_story)
        if not self.is_headless:
            self.set_interval(1.0, self.quit_if_terminal_gone)

    def open_start(self) -> None:
        """Open the game the command line asked for; one that cannot open leaves a note on the title."""
        if self.start == "new":
            self.new_game()
        elif self.start == "speedrun":
            self.start_speedrun()
        elif self.start == "continue":
            self.continue_game()
        elif self.load_on_start is not None:
            self.load_slot(self.load_on_start)

    def on_unmount(self) -> None:
        """Every autosave still queued reaches the disk before the game leaves (and a story opened
        in another process that was never needed is waited for)."""
        self.writer.flush(timeout=5)
        if self.opening is not None:
            self.opening()

    def quit_if_terminal_gone(self) -> None:
        """Leave when the terminal has hung up, as when an SSH session drops without a SIGHUP.

        Textual 8's input thread would otherwise spin on the dead terminal at full CPU for ever
        (Textualize/textual#6690). Every choice is already autosaved, so nothing is lost.
        """
        if terminal_hung_up(sys.__stdin__):
            self.exit(return_code=1)

    def remember_theme(self, theme: object) -> None:
        """Keep the theme the player picked for the next start; a failed write is only a notice."""
        if self.theme == self.settings.theme:
            return
        self.settings = Settings(theme=self.theme)
        problem = write_settings(self.settings_file, self.settings)
        if problem is not None:
            self.say(f"The theme will not be remembered: {problem}", severity="warning")

    def say(self, message: str, title: str = "",
            severity: Literal["information", "warning", "error"] = "information", timeout: float = 5) -> None:
        """A notification whose text is shown as written (a save name or an error may hold brackets)."""
        self.notify(clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False)

    # -- live reload ---------------------------------------------------------------------------
    def poll_story(self) -> None:
        if self.watcher is not None and self.watcher.changed():
            self.live_reload()

    def live_reload(self) -> None:
        """Load the edited story; keep the player where they are; keep the old story on failure."""
        result = reload_story(self.scenes, self.session.state if self.session is not None else None)
        if result.story is None:
            self.say("\n".join(result.details), title=result.summary, severity="error", timeout=15)
            return
        self.story, self.problem = result.story, None
        if self.session is not None and result.state is not None:
            self.session = self.new_session(result.story, result.state, autosave=self.timed_run is None)
            screen = self.play_screen()
            if screen is not None:
                screen.show_session(self.session)
        first = result.details[0].split(";")[0] + "." if result.details else ""
        self.say(f"{result.summary} {first}".strip(), severity="information" if result.loaded else "warning")

    def reload_story(self) -> None:
        """Open the story; one parsed afresh is stored in the story cache on a thread of its own.

        The thread mostly waits for the disk while the first frame is built, instead of before it;
        it is not a daemon, so the entry is finished before the game exits.
        """
        if self.opening is not None:
            opening, self.opening = self.opening, None
            opening()
        try:
            story, store = open_story(self.scenes)
            self.story, self.problem = story, None
            if store is not None:
                threading.Thread(target=store, name="daylights-story-cache").start()
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

    # -- what the screens are given ------------------------------------------------------------
    def has_game(self) -> bool:
        """A game in progress that the title screen can resume."""
        return self.session is not None and self.session.ending is None

    def has_unsaved_moves(self) -> bool:
        """Moves made since the player last saved or loaded (autosaves rotate, so they do not count)."""
        return self.session is not None and self.session.ending is None and self.session.unsaved

    def latest_autosave(self) -> SaveInfo | None:
        self.writer.flush(timeout=2)
        return self.store.latest_autosave(self.story) if self.story is not None else None

    def title_entries(self) -> list[MenuEntry]:
        """Resume the game in progress, or else Continue the latest autosave; never both."""
        if self.story is None:
            return ["reload", "quit"]
        first: list[MenuEntry] = ["resume"] if self.has_game() else \
            ["continue"] if self.latest_autosave() is not None else []
        return [*first, "new", "load", "speedrun", "endings", "quit"]

    def show_title(self, note: str | None = None) -> None:
        """Put the title screen on top. It is composed only when it is shown: a game started from
        the command line paints its first frame without it."""
        from game.tui.screens import TitleScreen

        story = self.story
        title = story.title if story is not None else "Daylights"
        subtitle = "" if story is None else story.subtitle or \
            f"A story in {len(story.acts)} act{'s' if len(story.acts) != 1 else ''}."
        self.push_screen(TitleScreen(title, subtitle, self.title_entries(), self.problem, note))

    def new_session(self, story: Story, state: State | None = None, autosave: bool = True) -> Session:
        """A session for ``story``; a speedrun's (``autosave=False``) keeps out of the autosave slots."""
        return Session(story, self.store, state, clock=self.clock, autosave=autosave, writer=self.writer)

    def play(self, session: Session) -> None:
        """Show ``session`` on a fresh play screen (or its ending screen), replacing every other."""
        self.session = session
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(PlayScreen(session, self.timed_run))
        if session.ending is not None:
            self.show_ending()

    def show_ending(self) -> None:
        from game.tui.screens import EndingScreen

        session = self.session
        assert session is not None
        summary = self.timed_run.summary if self.timed_run is not None else None
        self.push_screen(EndingScreen(session, scene_paragraphs(session.story, session.state),
                                      len(session.endings_found()), summary))

    def play_screen(self) -> PlayScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, PlayScreen)), None)

    def require_story(self) -> Story | None:
        if self.story is None:
            self.say(self.problem or "No story is loaded.", severity="error")
        return self.story

    def ask_first(self, question: str, then: Callable[[], object], needed: bool = True) -> None:
        """Run ``then`` at once when nothing is at stake, else after the player says yes to ``question``."""
        if not needed:
            then()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        from game.tui.dialogs import ConfirmScreen

        self.push_screen(ConfirmScreen(question), answered)

    def confirm_loss(self, question: str, then: Callable[[], object]) -> None:
        """Run ``then``, first asking ``question`` if the game in progress has moves no save holds."""
        self.ask_first(f"{question} {UNSAVED}", then, needed=self.has_unsaved_moves())

    # -- messages from the screens -------------------------------------------------------------
    def on_title_screen_chosen(self, message: TitleScreen.Chosen) -> None:
        actions: dict[MenuEntry, Callable[[], object]] = {
            "resume": self.action_resume, "continue": self.action_continue_game, "new": self.action_new_game,
            "speedrun": self.action_speedrun, "load": self.action_load, "endings": self.action_endings,
            "quit": self.exit, "reload": self.action_reload}
        actions[message.entry]()

    @on(PlayScreen.ChoiceTaken)
    def choice_taken(self, message: PlayScreen.ChoiceTaken) -> None:
        """Take the choice, redraw, and tell the player what the session and the run have to say."""
        session = self.session
        if session is None or session.ending is not None:
            return
        messages = session.choose(message.choice_id)
        if self.timed_run is not None:
            messages = [*messages, *self.timed_run.after_move(session.state)]
            if self.timed_run.summary in messages:
                messages.remove(self.timed_run.summary)  # the ending screen shows it
        screen = self.play_screen()
        if screen is not None:
            screen.refresh_scene()
        if messages:
            failed = any("failed" in m or "Could not" in m for m in messages)
            self.say("\n".join(messages), severity="warning" if failed else "information")
        if session.ending is not None:
            self.show_ending()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Speedruns switch off (and hide) undo, saving and loading; undo is dimmed with nothing to undo."""
        if self.timed_run is not None and action in RUN_FORBIDS:
            return False
        if action == "undo":
            return True if self.session is not None and self.session.can_undo else None
        if action in ("restart", "journal", "save", "quicksave"):
            return self.session is not None
        return True

    # -- actions -------------------------------------------------------------------------------
    def action_reload(self) -> None:
        from game.tui.screens import TitleScreen

        self.reload_story()
        if isinstance(self.screen, TitleScreen):
            self.pop_screen()
        self.show_title()

    def action_new_game(self) -> None:
        if self.require_story() is not None:
            self.confirm_loss("Start a new game?", self.new_game)

    def new_game(self) -> None:
        assert self.story is not None
        self.timed_run = None
        self.play(self.new_session(self.story))

    def action_speedrun(self) -> None:
        """A timed run: splits at each act, compared with the personal best; no undo, saving or loading."""
        if self.require_story() is not None:
            self.confirm_loss("Start a speedrun?", self.start_speedrun)

    def start_speedrun(self) -> None:
        from game.speedrun import Records, Run

        assert self.story is not None
        session = self.new_session(self.story, autosave=False)
        self.timed_run = Run(self.story, session.state, Records(self.store.folder))
        self.play(session)

    def action_resume(self) -> None:
        from game.tui.screens import EndingScreen

        if self.session is not None and self.play_screen() is not None:
            while not isinstance(self.screen, PlayScreen | EndingScreen):
                self.pop_screen()
        elif self.session is not None:
            self.play(self.session)

    def action_continue_game(self) -> None:
        self.continue_game()

    def continue_game(self) -> None:
        latest = self.latest_autosave()
        if latest is None:
            self.show_note("There is no autosave to continue yet: start a new game.")
        else:
            self.load_slot(latest.slot)

    def show_note(self, note: str) -> None:
        """Tell the player something went wrong; on an empty screen, show it on the title screen."""
        if len(self.screen_stack) <= 1:
            self.show_title(note)
        else:
            self.say(note, severity="warning", timeout=8)

    def load_slot(self, slot: str) -> bool:
        """Replace the game with a saved one; False (and a notice) when it cannot be loaded."""
        story = self.require_story()
        if story is None:
            return False
        session = self.new_session(story)
        try:
            loaded = session.load(slot)
        except SaveError as exc:
            self.show_note(f"Cannot load '{slot}': {exc}")
            return False
        self.timed_run = None
        self.play(session)
        self.say(f"Loaded '{slot}'.")
        for note in loaded.notes:
            self.say(note, severity="warning", timeout=10)
        return True

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
            self.say("There is nothing to undo yet.")
            return
        self.back_to_play()

    def back_to_play(self) -> None:
        """After the state changed under it, leave an ending screen and redraw the play screen."""
        from game.tui.screens import EndingScreen

        if isinstance(self.screen, EndingScreen):
            self.pop_screen()
        screen = self.play_screen()
        if screen is not None:
            screen.refresh_scene()

    def action_restart(self) -> None:
        """Back to the first scene; asks first while there are moves that no save holds."""
        if self.session is None:
            return
        self.ask_first("Restart from the beginning? Undo brings you back to where you are now, and your "
                       "saves stay as they are.", self.restart, needed=self.has_unsaved_moves())

    def restart(self) -> None:
        if self.session is None:
            return
        self.session.restart()
        if self.timed_run is not None:
            from game.speedrun import Records, Run

            self.timed_run = Run(self.session.story, self.session.state, Records(self.store.folder))
            screen = self.play_screen()
            if screen is not None:
                screen.timed_run = self.timed_run
        self.back_to_play()

    def action_journal(self) -> None:
        from game.tui.screens import JournalScreen

        if self.session is not None:
            self.push_screen(JournalScreen(self.session.story, self.session.state))

    async def action_inventory(self) -> None:
        screen = self.play_screen()
        if screen is not None and self.screen is screen:
            await screen.action_toggle_inventory()

    async def action_dossier(self) -> None:
        screen = self.play_screen()
        if screen is not None and self.screen is screen:
            await screen.action_toggle_dossier()

    def action_help(self) -> None:
        from game.tui.help import HelpScreen, key_help

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_help(self.screen)))

    def action_endings(self) -> None:
        from game.tui.screens import EndingsScreen

        if self.story is not None:
            self.push_screen(EndingsScreen(self.story, self.store.endings_found(self.story)))

    def action_save(self) -> None:
        if self.session is None or self.story is None:
            self.say("Start a game first.")
            return
        from game.tui.saves_screen import SavesScreen

        self.push_screen(SavesScreen("save", self.named_saves()), self.saves_done)

    def action_load(self) -> None:
        if self.story is not None:
            self.writer.flush(timeout=2)
            from game.tui.saves_screen import SavesScreen

            self.push_screen(SavesScreen("load", self.store.list(self.story)), self.saves_done)

    def action_quicksave(self) -> None:
        if self.session is None:
            return
        try:
            self.session.quicksave()
        except SaveError as exc:
            self.say(str(exc), title="Cannot save", severity="error", timeout=8)
            return
        self.say("Quicksaved.")

    def action_quickload(self) -> None:
        if self.story is not None:
            self.confirm_loss("Quickload?", lambda: self.load_slot("quicksave"))

    def named_saves(self) -> list[SaveInfo]:
        assert self.story is not None
        return [i for i in self.store.list(self.story) if i.kind == "named"]

    # -- what the saves dialog asked for -------------------------------------------------------
    def saves_done(self, result: SavesChoice | None) -> None:
        if result is None:
            return
        slot = result.slot
        if result.action == "load":
            self.confirm_loss(f"Load '{slot}'?", lambda: self.load_slot(slot))
        elif result.action == "new":
            from game.tui.dialogs import NameScreen

            self.push_screen(NameScreen(), self.named)
        elif result.action == "save":
            self.ask_first(f"Overwrite the save '{slot}'?", lambda: self.save_to(slot))
        elif result.action == "delete":
            self.ask_first(f"Delete the save '{slot}'? This cannot be undone.", lambda: self.delete_save(slot))

    def named(self, name: str | None) -> None:
        if name is None:
            return
        exists = any(i.slot == name for i in self.named_saves())
        self.ask_first(f"Overwrite the save '{name}'?", lambda: self.save_to(name), needed=exists)

    def save_to(self, slot: str) -> None:
        assert self.session is not None
        try:
            self.session.save(slot)
        except SaveError as exc:
            self.say(str(exc), title="Cannot save", severity="error", timeout=8)
            return
        self.say(f"Saved '{slot}'.")

    def delete_save(self, slot: str) -> None:
        assert self.story is not None
        try:
            self.store.delete(slot, self.story)
            self.say(f"Deleted '{slot}'.")
        except SaveError as exc:
            self.say(str(exc), severity="error")

    # -- the command palette -------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (but its Keys panel: our Help lists every key) and the game's, where they work."""
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command
        yield SystemCommand("New game", "Start the story from the beginning", self.action_new_game)
        if self.timed_run is None:
            yield SystemCommand("Load", "Load a saved game", self.action_load)
        yield SystemCommand("Endings", "The endings you have discovered", self.action_endings)
        yield SystemCommand("Speedrun", "A timed run to the canonical ending", self.action_speedrun)
        if self.session is not None and self.timed_run is None:
            yield SystemCommand("Save", "Save into a named slot", self.action_save)
            yield SystemCommand("Undo", "Take back the last choice", self.action_undo)
        if self.session is not None:
            yield SystemCommand("Journal", "Where you have been and what you chose", self.action_journal)
        if self.session is not None and isinstance(screen, PlayScreen):
            yield SystemCommand("Inventory", "Show or hide what you carry", self.action_inventory)
            if has_dossier(self.session.story):
                yield SystemCommand("Dossier", "Show or hide what you know and how things stand",
                                    self.action_dossier)
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
