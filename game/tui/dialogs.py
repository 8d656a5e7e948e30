"""Small modal dialogs: yes/no confirmation and naming a save."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from game.saves import SaveError, check_slot_name
from game.tui.keybar import KeyBar
from game.tui.safe import content


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    BINDINGS = [Binding("y", "answer(True)", "Yes", tooltip="yes"),
                Binding("n,escape", "answer(False)", "No", tooltip="no")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(content(self.question), classes="question", id="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="warning", action="screen.answer(True)")
                yield Button("No (n)", id="no", action="screen.answer(False)")
        yield KeyBar()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NameScreen(ModalScreen[str | None]):
    """Ask for a save name, refusing names the saves module would refuse, with the reason."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="close without saving")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Name this save:", classes="question")
            yield Input(placeholder="e.g. Before Tangier", max_length=60, id="name")
            yield Static("", id="name-error", classes="error")
        yield KeyBar()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(check_slot_name(event.value))
        except SaveError as exc:
            self.query_one("#name-error", Static).update(content(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(None)
