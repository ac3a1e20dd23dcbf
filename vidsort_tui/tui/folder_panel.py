"""The category folders with their keys and counts; the predicted one is highlighted.

Entries are packed into lines by hand: a folder's key, name and count never wrap apart.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from vidsort_tui.core.library import Folder
from vidsort_tui.tui.keymap import FOLDER_KEYS

GAP = "  "


class FolderPanel(Static):
    def on_mount(self) -> None:
        self._folders: list[Folder] = []
        self._predicted: str | None = None

    def show(self, folders: list[Folder], predicted: str | None) -> None:
        self._folders, self._predicted = folders, predicted
        self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def render(self) -> Text:
        folders = getattr(self, "_folders", [])
        if not folders:
            return Text("No folders yet: press n to create one", style="dim")
        width = max(10, self.content_size.width or self.size.width)
        text, used = Text(), 0
        for i, folder in enumerate(folders):
            entry = Text()
            entry.append(FOLDER_KEYS[i] if i < len(FOLDER_KEYS) else "/", style="bold cyan")
            entry.append(" ")
            entry.append(
                folder.name, style="bold reverse green" if folder.name == self._predicted else ""
            )
            entry.append(f" {folder.count}", style="dim")
            if used and used + len(GAP) + entry.cell_len > width:
                text.append("\n")
                used = 0
            elif used:
                text.append(GAP)
                used += len(GAP)
            text.append_text(entry)
            used += entry.cell_len
        return text
