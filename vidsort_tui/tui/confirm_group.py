"""Confirm filing a whole look-alike group: says how many videos, and into which folder."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from vidsort_tui.core.display import display_name


def confirm_text(count: int, folder: str, new: bool = False) -> Text:
    videos = f"{count} video{'' if count == 1 else 's'}"
    where = f"the new folder {display_name(folder)}" if new else display_name(folder)
    return Text.assemble(
        (f"File all {videos} of this group into {where}?", "bold"),
        "\n(u undoes the whole group in one step)\n\n",
        ("y", "bold"),
        " yes   ",
        ("n", "bold"),
        " no",
    )


class ConfirmGroup(ModalScreen[bool]):
    BINDINGS = [("y,enter", "dismiss(True)", "Yes"), ("n,escape", "dismiss(False)", "No")]

    def __init__(self, count: int, folder: str, new: bool = False) -> None:
        super().__init__()
        self.count, self.folder, self.new = count, folder, new

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(confirm_text(self.count, self.folder, self.new), id="confirm-text")
