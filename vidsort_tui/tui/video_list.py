"""The unsorted videos with their predicted folder and confidence.

A line-API scroll view: only the visible rows are ever rendered, so 10,000 videos open as
fast as 100 (a DataTable built every row up front: 2.5 s for 10,000).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vidsort_tui.core.listing import VideoEntry

NAME, FOLDER, CONF = 22, 12, 5
HEADER = Style(bold=True, dim=True)
CURSOR = Style(bgcolor="#24405a", bold=True)
CONFIDENCE_STYLES = (
    (0.8, Style(color="green")),
    (0.5, Style(color="yellow")),
    (0.0, Style(dim=True)),
)


class VideoList(ScrollView):
    """Driven by the screen's keys; it never takes focus itself."""

    can_focus = False
    DEFAULT_CSS = "VideoList { scrollbar-size-vertical: 1; }"

    class Highlighted(Message):
        """The cursor moved to another row."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[VideoEntry] = []
        self.cursor_row = 0

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def show(self, entries: list[VideoEntry], keep: str | None) -> None:
        """Replace the rows, keeping the cursor on ``keep`` when it is still listed."""
        index = self.cursor_row
        names = [e.filename for e in entries]
        if keep in names:
            index = names.index(keep)
        self.entries = entries
        self.virtual_size = Size(NAME + FOLDER + CONF + 2, len(entries) + 1)
        self.move_cursor(row=index)
        self.refresh()

    def move_cursor(self, row: int, animate: bool = False) -> None:
        before = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.entries) - 1)) if self.entries else 0
        self.scroll_to_region(Region(0, self.cursor_row, 1, 2), animate=animate,
                              spacing=None, top=False)  # fmt: skip
        self.refresh()
        if self.cursor_row != before:
            self.post_message(self.Highlighted())

    def get_row_at(self, index: int) -> tuple[str, str, str]:
        p = self.entries[index].prediction
        if not p.predicted_folder:
            return self.entries[index].filename, "—", ""
        return self.entries[index].filename, p.predicted_folder, f"{p.confidence:4.0%}"

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            text = f" {'Video':<{NAME}} {'Folder':<{FOLDER}} {'Conf':>{CONF - 1}}"
            return Strip([Segment(text[:width].ljust(width), HEADER)], width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.entries):
            return Strip.blank(width)
        name, folder, confidence = self.get_row_at(index)
        p = self.entries[index].prediction
        colour = next(s for floor, s in CONFIDENCE_STYLES if p.confidence >= floor)
        base = CURSOR if index == self.cursor_row else Style()
        segments = [
            Segment(f" {name[:NAME]:<{NAME}} ", base),
            Segment(
                f"{folder[:FOLDER]:<{FOLDER}} ",
                base + (colour if p.predicted_folder else Style(dim=True)),
            ),
            Segment(f"{confidence:>{CONF - 1}}", base + colour),
        ]
        strip = Strip(segments).crop(0, width)
        return strip.extend_cell_length(width, base)
