"""The play screen: where you are, what is happening, and what you can do about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game import engine
from game.display import clock_text, paragraphs, play_time
from game.session import Session
from game.tui.keybar import KeyBar

if TYPE_CHECKING:
    from game.speedrun import Run


BROWSER_BINDINGS = [
    Binding("S", "app.quicksave", "Quicksave", tooltip="quicksave (F5 reloads the page in a browser)"),
    Binding("L", "app.quickload", "Quickload", tooltip="quickload (F9 in a terminal)"),
    Binding("r", "app.restart", "Restart", tooltip="restart from the beginning (ctrl+r reloads the page)"),
]
"""Added when the game is served (``daylights serve``): browsers keep F5 and ctrl+r for reloading the page."""


class PlayScreen(Screen[None]):
    """Renders the session's current scene and sends choices to it."""

    BINDINGS = [
        *(Binding(str(n), f"choose_number({n})", f"Choice {n}", show=False) for n in range(1, 10)),
        Binding("i", "toggle_inventory", "Inventory"),
        Binding("j", "app.journal", "Journal"),
        Binding("s", "app.save", "Save"),
        Binding("l", "app.load", "Load"),
        Binding("f5", "app.quicksave", "Quicksave", show=False),
        Binding("f9", "app.quickload", "Quickload", show=False),
        Binding("u,ctrl+z", "app.undo", "Undo"),
        Binding("ctrl+r", "app.restart", "Restart", show=False),
        Binding("question_mark,f1", "app.help", "Help"),
        Binding("escape", "app.title", "Title", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._rendered: object = None

    def compose(self) -> ComposeResult:
        # Built with their content, so that the first frame is painted once, complete.
        self._rendered = self._render_key()
        yield Static(self.status_line(), id="status")
        with VerticalScroll(id="story"):
            yield Static(self.scene_content(), id="prose")
        yield OptionList(*self.choice_options(), id="choices")
        yield KeyBar()

    def on_mount(self) -> None:
        self.highlight_first_open()
        self.set_interval(0.1 if self.timed_run is not None else 1.0, self.refresh_status)
        self.query_one("#choices").focus()
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

    def use_session(self, session: Session) -> None:
        """Show another session (after live reload brought the player into an edited story)."""
        self.session = session
        self._rendered = None
        self.refresh_scene()

    # -- rendering -----------------------------------------------------------------------------
    @property
    def timed_run(self) -> Run | None:
        return self.app.timed_run  # type: ignore[attr-defined]

    def status_line(self) -> str:
        state = self.session.state
        scene = self.session.scene
        act = self.session.story.act(scene.act).title if scene.act else ""
        if self.timed_run is not None:
            last = self.timed_run.timer.splits[-1] if self.timed_run.timer.splits else None
            split = f"  ·  last split {self.timed_run.compare(last)}" if last else ""
            return f"SPEEDRUN {clock_text(state.elapsed)}  ·  moves {state.moves}  ·  {act}{split}"
        return f"{act}  ·  {scene.title}  ·  moves {state.moves}  ·  {play_time(state.elapsed)}"

    def scene_content(self) -> Content:
        scene = self.session.scene
        title = Content.from_markup("[b $primary]$title[/]", title=scene.title)
        return Content.assemble(title, "\n\n", "\n\n".join(paragraphs(scene.text)))

    def choice_options(self) -> list[Option]:
        options = []
        for view in engine.choice_views(self.session.story, self.session.history[-1]):
            if view.is_open:
                options.append(Option(Text(f"{view.number}. {view.choice.text}"), id=view.choice.id))
            else:
                options.append(Option(Text(f"   {view.choice.text}  (locked: {view.locked_reason})"),
                                      id=view.choice.id, disabled=True))
        return options

    def highlight_first_open(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = next((i for i in range(choices.option_count)
                                    if not choices.get_option_at_index(i).disabled), None)

    def refresh_status(self) -> None:
        status = self.query_one("#status", Static)
        line = self.status_line()
        if str(status.content) != line:
            status.update(line)

    def _render_key(self) -> object:
        state = self.session.history[-1]
        return state.scene, state.path, state.inventory, len(self.session.history)

    def refresh_scene(self) -> None:
        """Redraw the scene, choices and inventory when the state has changed."""
        self.refresh_status()
        if self._rendered == self._render_key():
            return
        self._rendered = self._render_key()
        self.query_one("#prose", Static).update(self.scene_content())
        self.query_one("#story", VerticalScroll).scroll_home(animate=False)
        self.query_one("#choices", OptionList).set_options(self.choice_options())
        self.highlight_first_open()
        self.refresh_inventory()

    def refresh_inventory(self) -> None:
        if not self.query("#items"):
            return
        story = self.session.story
        items = sorted(self.session.history[-1].inventory, key=lambda i: story.items[i].name)
        listing = self.query_one("#items", OptionList)
        listing.set_options([Option(Text(story.items[i].name), id=i) for i in items])
        description = self.query_one("#item-description", Static)
        if items:
            listing.highlighted = 0
            description.update(story.items[items[0]].description)
        else:
            description.update("You carry nothing of note.")

    @on(OptionList.OptionHighlighted, "#items")
    def show_item(self, event: OptionList.OptionHighlighted) -> None:
        item = self.session.story.items.get(event.option.id or "")
        if item is not None:
            self.query_one("#item-description", Static).update(item.description)

    # -- choosing ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#choices")
    def choice_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.take(event.option.id)

    def action_choose_number(self, number: int) -> None:
        open_choices = engine.open_choices(self.session.story, self.session.history[-1])
        if 1 <= number <= len(open_choices):
            self.take(open_choices[number - 1].id)
        else:
            self.app.bell()

    def take(self, choice_id: str) -> None:
        messages = self.session.choose(choice_id)
        self.refresh_scene()
        self.app.after_move(messages)  # type: ignore[attr-defined]

    # -- the other keys ------------------------------------------------------------------------
    async def action_toggle_inventory(self) -> None:
        panels = self.query(InventoryPanel)
        if panels:
            panel = panels.first()
            panel.display = not panel.display
        else:
            panel = InventoryPanel(id="inventory")
            await self.query_one("#story").mount(panel)
            self.refresh_inventory()
        self.query_one("#items" if panel.display else "#choices").focus()


class InventoryPanel(Vertical):
    """Item names and the selected item's description, docked beside the prose; built when first opened."""

    def compose(self) -> ComposeResult:
        yield Static("Inventory", classes="panel-title")
        yield OptionList(id="items")
        yield Static(id="item-description", markup=False)

