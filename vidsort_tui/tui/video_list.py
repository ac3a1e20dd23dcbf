"""The unsorted videos with their predicted folder and confidence."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from vidsort_tui.core.listing import VideoEntry


class VideoList(DataTable[Text | str]):
    """A read-only table driven by the screen's keys (it never takes focus itself)."""

    can_focus = False

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("Video", key="name")
        self.add_column("Folder", key="folder")
        self.add_column("Conf", key="confidence")

    def show(self, entries: list[VideoEntry], keep: str | None) -> None:
        """Replace the rows, keeping the cursor on ``keep`` when it is still listed."""
        index = self.cursor_row
        self.clear()
        self.add_rows(_row(e) for e in entries)
        names = [e.filename for e in entries]
        if keep in names:
            index = names.index(keep)
        if entries:
            self.move_cursor(row=min(max(index, 0), len(entries) - 1), animate=False)


def _row(entry: VideoEntry) -> tuple[str, Text | str, Text | str]:
    p = entry.prediction
    if not p.predicted_folder:
        return entry.filename, Text("—", style="dim"), ""
    style = "green" if p.confidence >= 0.8 else "yellow" if p.confidence >= 0.5 else "dim"
    return (
        entry.filename,
        Text(p.predicted_folder, style=style),
        Text(f"{p.confidence:4.0%}", style=style),
    )
