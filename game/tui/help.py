"""The help screen: every key the game answers to."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("1 – 9", "take that choice"),
    ("↑ ↓  Enter", "move between choices and take one (a mouse click works too)"),
    ("i", "show or hide the inventory"),
    ("j", "the journal: where you have been and what you chose"),
    ("s", "save into a named slot"),
    ("l", "load a save"),
    ("F5", "quicksave"),
    ("F9", "quickload"),
    ("u  ctrl+z", "undo the last choice (as often as you like; not in a speedrun)"),
    ("ctrl+r", "restart from the beginning"),
    ("Escape", "back to the title screen (the clock stops)"),
    ("? F1", "this help"),
    ("ctrl+p", "command palette: new game, speedrun, save, load, undo, journal, inventory, endings, theme"),
    ("ctrl+q", "quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        rows = "\n".join(f"[b]{key:<12}[/b] {what}" for key, what in KEYS)
        with VerticalScroll(classes="dialog wide"):
            yield Static("[b]Keys[/b]\n", classes="heading")
            yield Static(rows, id="help-keys")
            yield Static("\n[dim]Escape closes this help.[/dim]")

    def action_close(self) -> None:
        self.dismiss(None)
