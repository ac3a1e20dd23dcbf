"""Ask for a new folder's name; the core validates it when it is created."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class NewFolderScreen(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="new-folder"):
            yield Static(
                "New folder (the current video is filed into it). Enter creates, Esc cancels."
            )
            yield Input(placeholder="folder name", id="new-folder-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)
