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
            if i:
                text.append("  ")  # entries wrap only between each other (no-break spaces inside)
            key = FOLDER_KEYS[i] if i < len(FOLDER_KEYS) else "/"
            style = "bold reverse green" if folder.name == predicted else ""
            text.append(key, style="bold cyan")
            text.append("\u00a0")
            text.append(folder.name.replace(" ", "\u00a0"), style=style)
            text.append(f"\u00a0{folder.count}", style="dim")
        self.update(text)
