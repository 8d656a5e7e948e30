"""The title, journal, saves, ending and endings screens."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from game import engine
from game.display import paragraphs, play_time, saved_at
from game.session import Session
from game.story.model import Story
from game.tui.keybar import KeyBar


class TitleScreen(Screen[None]):
    """The story's title and the way in: continue, new game, load, endings, quit."""

    BINDINGS = [Binding("question_mark,f1", "app.help", "Help"), Binding("q", "app.quit", "Quit")]

    def __init__(self, title: str, problem: str | None = None) -> None:
        super().__init__()
        self.story_title = title
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Static(Text(self.story_title, style="bold"), id="title-text")
            yield Static("A story in ten acts, after the 1987 film.", id="title-sub")
            if self.problem:
                with Center():
                    yield Static(Text(self.problem), id="title-problem", classes="error")
            with Center():
                yield OptionList(*self.menu_entries(), id="menu")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_menu()

    def on_screen_resume(self) -> None:
        self.refresh_menu()

    def menu_entries(self) -> list[Option]:
        app = self.app
        if self.problem:
            return [Option("Try again", id="reload"), Option("Quit", id="quit")]
        entries = []
        if app.has_game():  # type: ignore[attr-defined]
            entries.append(Option("Resume", id="resume"))
        if app.latest_autosave() is not None:  # type: ignore[attr-defined]
            entries.append(Option("Continue", id="continue"))
        return [*entries, Option("New game", id="new"), Option("Load", id="load"), Option("Speedrun", id="speedrun"),
                Option("Endings", id="endings"), Option("Quit", id="quit")]

    def refresh_menu(self) -> None:
        """The menu as it stands now (a game may have started or been saved since); only redrawn on a change."""
        menu = self.query_one("#menu", OptionList)
        entries = self.menu_entries()
        shown = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
        if shown != [entry.id for entry in entries]:
            menu.set_options(entries)
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionSelected, "#menu")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.app.title_choice(event.option.id or "")  # type: ignore[attr-defined]


class JournalScreen(ModalScreen[None]):
    """This playthrough so far: each scene and the choice taken there; any scene can be re-read."""

    BINDINGS = [Binding("escape,j", "close", "Close")]

    def __init__(self, story: Story, session: Session) -> None:
        super().__init__()
        self.steps = engine.history(story, session.history[-1])
        self.story = story

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Journal", classes="heading")
            with Horizontal(id="journal-body"):
                yield OptionList(id="journal-list")
                with VerticalScroll(id="journal-page"):
                    yield Static(id="journal-text", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        listing = self.query_one("#journal-list", OptionList)
        options = []
        for index, (scene, choice) in enumerate(self.steps):
            taken = f" → {choice.text}" if choice is not None else "  (you are here)"
            options.append(Option(Text(f"{index + 1}. {scene.title}{taken}"), id=str(index)))
        listing.set_options(options)
        listing.highlighted = len(options) - 1
        listing.focus()

    @on(OptionList.OptionHighlighted, "#journal-list")
    def show_page(self, event: OptionList.OptionHighlighted) -> None:
        scene, choice = self.steps[int(event.option.id or 0)]
        act = self.story.act(scene.act).title if scene.act else ""
        taken = f"\n\nYou chose: {choice.text}" if choice is not None else ""
        prose = "\n\n".join(paragraphs(scene.text))
        self.query_one("#journal-text", Static).update(f"{act} — {scene.title}\n\n{prose}{taken}")

    def action_close(self) -> None:
        self.dismiss(None)


class EndingScreen(Screen[None]):
    """The end of a playthrough: which ending, how long it took, and what now."""

    BINDINGS = [Binding("u,ctrl+z", "app.undo", "Undo"), Binding("r", "app.restart_now", "Restart"),
                Binding("t,escape", "app.title", "Title")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        ending = self.session.ending
        assert ending is not None
        state = self.session.state
        found = len(self.session.endings_found())
        total = len(self.session.story.endings)
        with Vertical(id="ending-box"):
            yield Static("THE END", id="ending-the-end")
            yield Static(Text(ending.title, style="bold"), id="ending-title")
            yield Static(f"{ending.kind.capitalize()} ending", id="ending-kind")
            yield Static(f"{state.moves} moves  ·  {play_time(state.elapsed)}  ·  endings discovered "
                         f"{found} of {total}", id="ending-stats")
            run = self.app.timed_run  # type: ignore[attr-defined]
            if run is not None and run.summary:
                yield Static(Text(run.summary), id="ending-run")
            with Horizontal(classes="buttons"):
                if run is None:
                    yield Button("Undo (u)", id="undo")
                yield Button("Restart (r)", id="restart")
                yield Button("Title (t)", id="title")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"undo": "undo", "restart": "restart_now", "title": "title"}[event.button.id or "title"]
        self.app.run_action(action)


class EndingsScreen(ModalScreen[None]):
    """Every ending of the story: the ones found by title, the rest as locked entries."""

    BINDINGS = [Binding("escape,e", "close", "Close")]

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
            yield Static(Text("\n".join(lines)), id="endings-list")
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)
