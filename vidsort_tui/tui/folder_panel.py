"""The category folders with their keys and counts; the predicted one is highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from vidsort_tui.core.library import Folder
from vidsort_tui.tui.keymap import FOLDER_KEYS


class FolderPanel(Static):
    def show(self, folders: list[Folder], predicted: str | None) -> None:
        text = Text()
        if not folders:
            text.append("No folders yet: press n to create one", style="dim")
        for i, folder in enumerate(folders):
            key = FOLDER_KEYS[i] if i < len(FOLDER_KEYS) else "/"
            style = "bold reverse green" if folder.name == predicted else ""
            text.append(f" {key} ", style="bold cyan")
            text.append(folder.name, style=style)
            text.append(f" {folder.count}", style="dim")
            text.append("   ")
        self.update(text)
