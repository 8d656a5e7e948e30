"""The help screen, written from the bindings of the screen it was opened on.

Keys are declared once, as bindings with a tooltip; the key bar, this help and the palette all
read them, so a key added, moved or switched off shows up (or disappears) everywhere at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from game.tui.keybar import KeyBar
from game.tui.safe import rich_text

PALETTE_HELP = "command palette: new game, speedrun, save, load, undo, journal, inventory, dossier, endings, theme"
KEY_COLUMN = 14


def key_help(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, what they do) for every key that works on ``screen`` now, in the order it declares them.

    Every key the game declares carries a tooltip, which is what the help says of it; Textual's
    own keys (focus, copy) and the focused widget's (a list's arrows) have none and are left out,
    the latter named instead in a player's words by the screen's ``HELP_NOTES``.
    """
    app = screen.app
    rows: dict[str, list[str]] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        if active.node not in (screen, app) or not (binding.tooltip or binding.action == "command_palette"):
            continue
        what = PALETTE_HELP if binding.action == "command_palette" else binding.tooltip or binding.description
        rows.setdefault(what, []).append(app.get_key_display(binding))
    notes: Sequence[tuple[str, str]] = getattr(screen, "HELP_NOTES", ())
    return [*notes, *((_keys(keys), what) for what, keys in rows.items())]


def _keys(keys: list[str]) -> str:
    """Keys for one row: a run of digits as '1–9', others side by side."""
    if len(keys) > 2 and all(k.isdigit() for k in keys):
        return f"{keys[0]}–{keys[-1]}"
    return " ".join(keys)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, with what it does."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", tooltip="close the help")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, min_width=KEY_COLUMN, style="bold")
        table.add_column(ratio=1)
        for keys, what in self.rows:
            table.add_row(rich_text(keys), rich_text(what, wrap=True))
        with VerticalScroll(classes="dialog wide"):
            yield Static("Keys", classes="heading")
            yield Static(table, id="help-keys")
            yield Static("Escape closes this help.", classes="hint")
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)
