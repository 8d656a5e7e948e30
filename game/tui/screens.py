"""The title, journal, ending and endings screens."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from game.display import count, play_time, saved_at
from game.engine import State
from game.session import Session, journal
from game.story.model import Story
from game.tui.first_frame import OpeningScreen
from game.tui.keybar import KeyBar
from game.tui.prose import scene_paragraphs
from game.tui.safe import content, one_line

MenuEntry = Literal["resume", "continue", "new", "load", "speedrun", "endings", "quit", "reload"]
MENU_LABELS: dict[MenuEntry, str] = {
    "resume": "Resume this game", "continue": "Continue (latest autosave)", "new": "New game", "load": "Load",
    "speedrun": "Speedrun", "endings": "Endings", "quit": "Quit", "reload": "Try again"}


class TitleScreen(OpeningScreen[None]):
    """The story's title and the way in; the app gives it the menu entries that apply now."""

    class Chosen(Message):
        """The player picked ``entry`` from the title menu."""

        def __init__(self, entry: MenuEntry) -> None:
            super().__init__()
            self.entry = entry

    BINDINGS = [Binding("question_mark,f1", "app.help", "Help", tooltip="every key, and what it does here"),
                Binding("q", "app.quit", "Quit", tooltip="quit the game")]

    def __init__(self, title: str, subtitle: str, entries: list[MenuEntry], problem: str | None = None,
                 note: str | None = None) -> None:
        super().__init__()
        self.story_title = title
        self.subtitle = subtitle
        self.entries = entries
        self.problem = problem
        self.note = note
        """Why the game asked for did not open (``play --load`` of a missing save, say)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Static(content(self.story_title), id="title-text")
            yield Static(content(self.subtitle), id="title-sub")
            for text, name in ((self.problem, "title-problem"), (self.note, "title-note")):
                if text:
                    with Center():
                        yield Static(content(text), id=name, classes="error")
            with Center():
                yield OptionList(*(Option(MENU_LABELS[e], id=e) for e in self.entries), id="menu")
        yield KeyBar()

    def on_mount(self) -> None:
        menu = self.query_one("#menu", OptionList)
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionSelected, "#menu")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        entry = next(e for e in self.entries if e == event.option.id)
        self.post_message(self.Chosen(entry))


class JournalScreen(ModalScreen[None]):
    """This playthrough so far: each scene and the choice taken there; any scene can be re-read."""

    BINDINGS = [Binding("escape,j", "close", "Close", tooltip="close the journal")]

    def __init__(self, story: Story, state: State) -> None:
        super().__init__()
        self.steps = journal(story, state)
        self.story = story

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Journal", classes="heading")
            with Horizontal(id="journal-body"):
                yield OptionList(id="journal-list")
                with VerticalScroll(id="journal-page"):
                    yield Static(id="journal-text")
        yield KeyBar()

    def on_mount(self) -> None:
        listing = self.query_one("#journal-list", OptionList)
        options = []
        for index, step in enumerate(self.steps):
            taken = step.choice_text()
            after = f" → {one_line(taken)}" if taken is not None else "  (you are here)"
            title = self.story.scenes[step.state.scene].title
            options.append(Option(content(f"{index + 1}. {one_line(title)}{after}"), id=str(index)))
        listing.set_options(options)
        listing.highlighted = len(options) - 1
        listing.focus()

    @on(OptionList.OptionHighlighted, "#journal-list")
    def show_page(self, event: OptionList.OptionHighlighted) -> None:
        step = self.steps[int(event.option.id or 0)]
        scene = self.story.scenes[step.state.scene]
        act = self.story.act(scene.act).title if scene.act else ""
        taken = step.choice_text()
        chosen = f"\n\nYou chose: {taken}" if taken is not None else ""
        prose = "\n\n".join(scene_paragraphs(self.story, step.state))
        self.query_one("#journal-text", Static).update(content(f"{act} — {scene.title}\n\n{prose}{chosen}"))

    def action_close(self) -> None:
        self.dismiss(None)


class EndingScreen(Screen[None]):
    """The end of a playthrough: the ending scene's prose, which ending, how long, and what now."""

    BINDINGS = [Binding("u,ctrl+z", "app.undo", "Undo", tooltip="take back the choice that ended the story"),
                Binding("r", "app.restart", "Restart", tooltip="play again from the beginning"),
                Binding("t,escape", "app.title", "Title", tooltip="back to the title screen"),
                Binding("j", "app.journal", "Journal", tooltip="the journal: every scene and what you chose"),
                Binding("question_mark,f1", "app.help", "Help", tooltip="every key, and what it does here"),
                Binding("up", "scroll(-1)", "Scroll up", show=False, tooltip="scroll the ending's text a line"),
                Binding("down", "scroll(1)", "Scroll down", show=False, tooltip="scroll the ending's text a line"),
                Binding("pageup", "scroll(-10)", "Page up", show=False, tooltip="scroll the ending's text a page"),
                Binding("pagedown", "scroll(10)", "Page down", show=False, tooltip="scroll the ending's text a page")]

    def __init__(self, session: Session, prose: list[str], endings_found: int, run_summary: str | None) -> None:
        super().__init__()
        self.session = session
        self.prose = prose
        self.endings_found = endings_found
        self.run_summary = run_summary

    def compose(self) -> ComposeResult:
        ending = self.session.ending
        assert ending is not None
        state = self.session.state
        total = len(self.session.story.endings)
        with VerticalScroll(id="ending-scroll"):
            yield Static(content("\n\n".join(self.prose)), id="ending-prose")
            with Vertical(id="ending-box"):
                yield Static("THE END", id="ending-the-end")
                yield Static(content(ending.title, "bold"), id="ending-title")
                yield Static(content(f"{ending.kind.capitalize()} ending"), id="ending-kind")
                yield Static(f"{count(state.moves, 'move')}  ·  {play_time(state.elapsed)}  ·  endings discovered "
                             f"{self.endings_found} of {total}", id="ending-stats")
                if self.run_summary:
                    yield Static(content(self.run_summary), id="ending-run")
        with Horizontal(classes="buttons", id="ending-buttons"):
            if self.run_summary is None:
                yield Button("Undo (u)", id="undo", action="app.undo")
            yield Button("Restart (r)", id="restart", action="app.restart")
            yield Button("Title (t)", id="title", action="app.title")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#ending-buttons").query(Button).first().focus()

    def action_scroll(self, lines: int) -> None:
        """Scroll the prose and the ending's numbers while a button keeps the focus (10: a page)."""
        view = self.query_one("#ending-scroll", VerticalScroll)
        step = lines if abs(lines) == 1 else (view.size.height - 1) * (1 if lines > 0 else -1)
        view.scroll_relative(y=step, animate=False)


class EndingsScreen(ModalScreen[None]):
    """Every ending of the story: the ones found by title, the rest as locked entries."""

    BINDINGS = [Binding("escape,e", "close", "Close", tooltip="close the list of endings")]

    def __init__(self, story: Story, found: dict[str, str]) -> None:
        super().__init__()
        self.story = story
        self.found = found

    def compose(self) -> ComposeResult:
        lines = []
        for scene in sorted(self.story.endings, key=lambda s: (s.id not in self.found, s.act, s.id)):
            assert scene.ending is not None
            if scene.id in self.found:
                lines.append(f"★ {scene.ending.title}  ({scene.ending.kind})  — found {saved_at(self.found[scene.id])}")
            else:
                lines.append("· ??? (locked)")
        with VerticalScroll(classes="dialog wide"):
            yield Static(f"Endings: {len(self.found)} of {len(self.story.endings)} discovered", classes="heading")
            yield Static(content("\n".join(lines)), id="endings-list")
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)
