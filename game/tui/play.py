"""The play screen: where you are, what is happening, and what you can do about it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game import engine
from game.display import clock_text, delta_text, play_time
from game.engine import State
from game.session import Session
from game.tui.first_frame import OpeningScreen
from game.tui.keybar import KeyBar
from game.tui.prose import choice_text, dossier_lines, has_dossier, locked_reason, scene_paragraphs
from game.tui.safe import content, one_line

if TYPE_CHECKING:
    from game.speedrun import Run


BROWSER_BINDINGS = [
    Binding("S", "app.quicksave", "Quicksave", tooltip="quicksave (F5 reloads the page in a browser)"),
    Binding("L", "app.quickload", "Quickload", tooltip="quickload (F9 in a terminal)"),
    Binding("r", "app.restart", "Restart", tooltip="restart from the beginning (ctrl+r reloads the page)"),
]
"""Added when the game is served (``daylights serve``): browsers keep F5 and ctrl+r for reloading the page."""


class PlayScreen(OpeningScreen[None]):
    """Renders the session's current scene; a choice taken is posted to the app as ``ChoiceTaken``."""

    class ChoiceTaken(Message):
        """The player took the open choice ``choice_id`` (by number, arrows and Enter, or a click)."""

        def __init__(self, choice_id: str) -> None:
            super().__init__()
            self.choice_id = choice_id

    AUTO_FOCUS = "#choices"
    """Focused as the screen is built, so the first frame already shows the choices focused."""
    HELP_NOTES: ClassVar[list[tuple[str, str]]] = [
        ("↑ ↓ Enter", "move between the choices and take one (a click works too)")]
    BINDINGS = [
        *(Binding(str(n), f"choose_number({n})", f"Choice {n}", show=False, tooltip="take that choice")
          for n in range(1, 10)),
        Binding("i", "toggle_inventory", "Inventory", tooltip="show or hide what you carry (select an item to "
                "read about it)"),
        Binding("d", "toggle_dossier", "Dossier", tooltip="show or hide the dossier: what you know, and how "
                "things stand"),
        Binding("j", "app.journal", "Journal", tooltip="the journal: every scene so far and what you chose"),
        Binding("s", "app.save", "Save", tooltip="save into a named slot"),
        Binding("l", "app.load", "Load", tooltip="load a save"),
        Binding("f5", "app.quicksave", "Quicksave", show=False, tooltip="quicksave"),
        Binding("f9", "app.quickload", "Quickload", show=False, tooltip="quickload"),
        Binding("u,ctrl+z", "app.undo", "Undo", tooltip="undo the last choice, as often as you like "
                "(not in a speedrun)"),
        Binding("ctrl+r", "app.restart", "Restart", show=False, tooltip="restart from the beginning"),
        Binding("pageup", "scroll_prose(-1)", "Scroll up", show=False, priority=True,
                tooltip="scroll the scene's text"),
        Binding("pagedown", "scroll_prose(1)", "Scroll down", show=False, priority=True,
                tooltip="scroll the scene's text"),
        Binding("question_mark,f1", "app.help", "Help", tooltip="every key, and what it does here"),
        Binding("escape", "back", "Title", show=False,
                tooltip="close the open panel, else back to the title screen (the clock stops)"),
    ]

    def __init__(self, session: Session, timed_run: Run | None = None) -> None:
        super().__init__()
        self.session = session
        self.timed_run = timed_run
        """The speedrun this game is, if any (set by the app): the header then shows its clock."""
        self._rendered: object = None

    def compose(self) -> ComposeResult:
        # Built with their content, so that the first frame is painted once, complete.
        self._rendered = self._render_key()
        yield Static(self.status_line(), id="status")
        with Vertical(id="page"):
            with VerticalScroll(id="story"):
                yield Static(self.scene_content(), id="prose")
            yield OptionList(*self.choice_options(), id="choices")
        yield KeyBar()

    def on_mount(self) -> None:
        self.highlight_first_open()
        self.set_interval(0.1 if self.timed_run is not None else 1.0, self.refresh_status)
        if self.app.is_web:
            self.add_browser_keys()

    def add_browser_keys(self) -> None:
        """Served to a browser, bind the letters that stand in for the keys a browser keeps, and show them."""
        for binding in BROWSER_BINDINGS:
            self._bindings.key_to_bindings.setdefault(binding.key, []).append(binding)
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        self.session.resume()
        self.refresh_scene()

    def on_screen_suspend(self) -> None:
        self.session.pause()

    def show_session(self, session: Session) -> None:
        """Show another session (after live reload brought the player into an edited story)."""
        self.session = session
        self._rendered = None
        self.refresh_scene()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The dossier key is offered only for a story that shows the player some of its variables."""
        return has_dossier(self.session.story) if action == "toggle_dossier" else True

    # -- rendering -----------------------------------------------------------------------------
    @property
    def state(self) -> State:
        return self.session.history[-1]

    def status_line(self) -> Content:
        """Act, scene, moves and time; in a speedrun, the run clock, moves and last split first."""
        state = self.session.state
        scene = self.session.scene
        act = self.session.story.act(scene.act).title if scene.act else ""
        width = max(self.size.width, 80) - 2
        if self.timed_run is not None:
            parts = [f"SPEEDRUN {clock_text(state.elapsed)}", f"moves {state.moves}"]
            splits = self.timed_run.timer.splits
            if splits:
                last = splits[-1]
                best = self.timed_run.best
                mark = next((b for b in best.splits if b.act == last.act), None) if best else None
                split = f"split {clock_text(last.seconds)}"
                parts.append(f"{split} ({delta_text(last.seconds - mark.seconds)})" if mark else split)
            parts.append(act)
        else:
            parts = [act, scene.title, f"moves {state.moves}", play_time(state.elapsed)]
        line = "  ·  ".join(one_line(p) for p in parts if p)
        return content(line if len(line) <= width else line[: width - 1] + "…")

    def scene_content(self) -> Content:
        title = content(self.session.scene.title, "bold $primary")
        prose = content("\n\n".join(scene_paragraphs(self.session.story, self.state)))
        return Content.assemble(title, "\n\n", prose)

    def choice_options(self) -> list[Option]:
        options = []
        for view in engine.choice_views(self.session.story, self.state):
            if view.is_open:
                options.append(Option(content(f"{view.number}. {choice_text(view)}"), id=view.choice.id))
            else:
                options.append(Option(content(f"   {choice_text(view)}  (locked: {locked_reason(view)})"),
                                      id=view.choice.id, disabled=True))
        return options

    def highlight_first_open(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = next((i for i in range(choices.option_count)
                                    if not choices.get_option_at_index(i).disabled), None)

    def refresh_status(self) -> None:
        status = self.query_one("#status", Static)
        line = self.status_line()
        if status.content != line:
            status.update(line)

    def _render_key(self) -> object:
        state = self.state
        return self.session.story, state.scene, state.path, state.inventory, state.variables, len(self.session.history)

    def refresh_scene(self) -> None:
        """Redraw the scene, choices and panels when the state has changed."""
        self.refresh_status()
        if self._rendered == self._render_key():
            return
        self._rendered = self._render_key()
        self.query_one("#prose", Static).update(self.scene_content())
        self.query_one("#story", VerticalScroll).scroll_home(animate=False)
        self.query_one("#choices", OptionList).set_options(self.choice_options())
        self.highlight_first_open()
        for panel in self.query(SidePanel):
            panel.show(self.session)
        self.refresh_bindings()

    # -- choosing ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#choices")
    def choice_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(self.ChoiceTaken(event.option.id))

    def action_choose_number(self, number: int) -> None:
        open_choices = engine.open_choices(self.session.story, self.state)
        if 1 <= number <= len(open_choices):
            self.post_message(self.ChoiceTaken(open_choices[number - 1].id))
        else:
            self.app.bell()

    # -- the other keys ------------------------------------------------------------------------
    def action_scroll_prose(self, pages: int) -> None:
        story = self.query_one("#story", VerticalScroll)
        if pages < 0:
            story.scroll_page_up(animate=False)
        else:
            story.scroll_page_down(animate=False)

    async def action_back(self) -> None:
        """Escape closes a side panel first, so leaving the game never comes as a surprise."""
        panels = list(self.query(SidePanel))
        if not panels:
            await self.run_action("app.title")
            return
        for panel in panels:
            await panel.remove()
        self.query_one("#choices").focus()

    async def action_toggle_inventory(self) -> None:
        await self.toggle_panel(InventoryPanel)

    async def action_toggle_dossier(self) -> None:
        await self.toggle_panel(DossierPanel)

    async def toggle_panel(self, kind: type[SidePanel]) -> None:
        """Open the panel ``kind`` (closing the other one: two would squeeze the prose), or close it."""
        opened = None
        for panel in list(self.query(SidePanel)):
            if isinstance(panel, kind):
                opened = panel
            else:
                await panel.remove()
        if opened is not None:
            await opened.remove()
            self.query_one("#choices").focus()
            return
        panel = kind()
        await self.mount(panel, before=self.query_one(KeyBar))
        panel.show(self.session)
        panel.focus_first()


class SidePanel(Vertical):
    """A panel docked to the right of the prose, rebuilt from the session whenever the state changes."""

    def show(self, session: Session) -> None:
        raise NotImplementedError

    def focus_first(self) -> None:
        """Give the keyboard to the panel if it has anything to select; else the choices keep it."""


class InventoryPanel(SidePanel):
    """Item names and the selected item's description."""

    def __init__(self) -> None:
        super().__init__(id="inventory", classes="side-panel")
        self.session: Session | None = None

    def compose(self) -> ComposeResult:
        yield Static("Inventory", classes="panel-title")
        yield OptionList(id="items")
        yield Static(id="item-description", markup=False)

    def show(self, session: Session) -> None:
        self.session = session
        story = session.story
        items = sorted(session.history[-1].inventory, key=lambda i: story.items[i].name)
        listing = self.query_one("#items", OptionList)
        listing.set_options([Option(content(story.items[i].name), id=i) for i in items])
        description = self.query_one("#item-description", Static)
        if items:
            listing.highlighted = 0
            description.update(content(story.items[items[0]].description))
        else:
            description.update("You carry nothing of note.")

    def focus_first(self) -> None:
        self.query_one("#items").focus()

    @on(OptionList.OptionHighlighted, "#items")
    def show_item(self, event: OptionList.OptionHighlighted) -> None:
        item = self.session.story.items.get(event.option.id or "") if self.session is not None else None
        if item is not None:
            self.query_one("#item-description", Static).update(content(item.description))


class DossierPanel(SidePanel):
    """What the writer chose to show of the state: labelled values, with a counter's range."""

    def __init__(self) -> None:
        super().__init__(id="dossier", classes="side-panel")

    def compose(self) -> ComposeResult:
        yield Static("Dossier", classes="panel-title")
        with VerticalScroll(id="dossier-scroll"):
            yield Static(id="dossier-lines")

    def show(self, session: Session) -> None:
        lines = dossier_lines(session.story, session.history[-1])
        text = "\n".join(lines) if lines else "Nothing in the dossier yet."
        self.query_one("#dossier-lines", Static).update(content(text))
