"""The saves table, shared by saving and loading. Imported only when it is opened (DataTable is
one of the heavier widgets, and the first frame should not wait for it)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from game.display import play_time, saved_at
from game.saves import SaveInfo
from game.tui.keybar import KeyBar


class SavesScreen(ModalScreen[tuple[str, str] | None]):
    """The table of saves. Dismisses with (action, slot): ('save'|'load'|'delete'|'new', slot)."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("d,delete", "delete", "Delete"),
                Binding("n", "new", "New save", show=False)]

    def __init__(self, mode: str, saves: list[SaveInfo]) -> None:
        super().__init__()
        self.mode = mode
        self.saves = saves

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            heading = "Save the game" if self.mode == "save" else "Load a save"
            yield Static(heading, classes="heading")
            yield DataTable(id="saves-table", cursor_type="row", zebra_stripes=True)
            hint = "Enter: save here · n: new name · d: delete · Esc: close" if self.mode == "save" else \
                "Enter: load · d: delete · Esc: close"
            yield Static(hint, classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Act", "Scene", "Time", "Saved")
        if self.mode == "save":
            table.add_row(Text("+ New save…", style="bold"), "", "", "", "", key="\0new")
        for info in self.saves:
            if info.error:
                table.add_row(Text(info.slot), Text("damaged", style="red"), Text(info.error[:40]), "", "",
                              key=info.slot)
            else:
                table.add_row(Text(shorten(info.slot, 18)), Text(shorten(info.act_title, 12)),
                              Text(shorten(info.scene_title, 20)),
                              play_time(info.elapsed), saved_at(info.saved_at), key=info.slot)
        table.focus()

    def selected_slot(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key

    @on(DataTable.RowSelected)
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        slot = event.row_key.value
        if slot == "\0new":
            self.dismiss(("new", ""))
        elif slot is not None:
            self.dismiss((self.mode, slot))

    def action_new(self) -> None:
        if self.mode == "save":
            self.dismiss(("new", ""))

    def action_delete(self) -> None:
        slot = self.selected_slot()
        if slot and slot != "\0new":
            self.dismiss(("delete", slot))

    def action_close(self) -> None:
        self.dismiss(None)


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
