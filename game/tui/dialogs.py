"""Small modal dialogs: yes/no confirmation and naming a save."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from game.saves import SaveError, check_slot_name


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NameScreen(ModalScreen[str | None]):
    """Ask for a save name, refusing names the saves module would refuse, with the reason."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Name this save:", classes="question")
            yield Input(placeholder="e.g. Before Tangier", max_length=60, id="name")
            yield Static("", id="name-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(check_slot_name(event.value))
        except SaveError as exc:
            self.query_one("#name-error", Static).update(str(exc))

    def action_cancel(self) -> None:
        self.dismiss(None)
