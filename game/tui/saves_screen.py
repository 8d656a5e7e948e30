"""The saves table, shared by saving and loading. Imported only when it is opened (DataTable is
one of the heavier widgets, and the first frame should not wait for it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import msgspec
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from game.display import play_time
from game.saves import SaveInfo
from game.tui.keybar import KeyBar
from game.tui.safe import one_line, rich_text

NEW_ROW = "\0new"
"""The row key of "+ New save…" (no slot name can contain a NUL)."""
SavesMode = Literal["save", "load"]


class SavesChoice(msgspec.Struct, frozen=True):
    """What the player asked of the saves dialog: save over, load or delete ``slot``, or name a new save."""

    action: Literal["save", "load", "delete", "new"]
    slot: str = ""


def when(info: SaveInfo) -> datetime:
    """When a save was written, for sorting; damaged saves (no time) sort last."""
    try:
        stamp = datetime.fromisoformat(info.saved_at)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def saved_at_seconds(info: SaveInfo) -> str:
    """The save's time in local time to the second (autosaves are often a few seconds apart)."""
    try:
        return datetime.fromisoformat(info.saved_at).astimezone().strftime("%d %b %H:%M:%S")
    except (ValueError, OverflowError):  # a date at the edge of time cannot be moved to local time
        return "?"


class SavesScreen(ModalScreen[SavesChoice | None]):
    """The table of saves, newest first."""

    BINDINGS = [Binding("escape", "close", "Close", tooltip="close without saving or loading"),
                Binding("n", "new", "New save", tooltip="save under a new name"),
                Binding("d,delete", "delete", "Delete", tooltip="delete the selected save (asks first)")]

    def __init__(self, mode: SavesMode, saves: list[SaveInfo]) -> None:
        super().__init__()
        self.mode = mode
        self.saves = sorted(saves, key=when, reverse=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Naming a new save makes sense only when saving."""
        return self.mode == "save" if action == "new" else True

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Save the game" if self.mode == "save" else "Load a save", classes="heading")
            yield DataTable(id="saves-table", cursor_type="row", zebra_stripes=True)
            hint = "Enter: save here · n: new name · d: delete · Esc: close" if self.mode == "save" else \
                "Enter: load · d: delete · Esc: close"
            yield Static(hint, classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Act", "Scene", "Time", "Saved")
        if self.mode == "save":
            table.add_row(rich_text("+ New save…", "bold"), "", "", "", "", key=NEW_ROW)
        for info in self.saves:
            if info.error:
                table.add_row(rich_text(shorten(info.slot, 18)), rich_text("damaged", "red"),
                              rich_text(shorten(info.error, 40)), "", "", key=info.slot)
            else:
                table.add_row(rich_text(shorten(info.slot, 18)), rich_text(shorten(info.act_title, 12)),
                              rich_text(shorten(info.scene_title, 20)),
                              play_time(info.elapsed), saved_at_seconds(info), key=info.slot)
        table.focus()

    def selected_slot(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected)
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        slot = event.row_key.value
        if slot == NEW_ROW:
            self.dismiss(SavesChoice("new"))
        elif slot is not None:
            self.dismiss(SavesChoice(self.mode, slot))

    def action_new(self) -> None:
        self.dismiss(SavesChoice("new"))

    def action_delete(self) -> None:
        slot = self.selected_slot()
        if slot and slot != NEW_ROW:
            self.dismiss(SavesChoice("delete", slot))

    def action_close(self) -> None:
        self.dismiss(None)


def shorten(text: str, width: int) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"
