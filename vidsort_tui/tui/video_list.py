"""The unsorted videos with their predicted folder and confidence.

A line-API scroll view: only the visible rows are ever rendered, so 10,000 videos open as
fast as 100 (a DataTable built every row up front: 2.5 s for 10,000). Columns follow the
widget's width: the confidence always shows, the folder column is as wide as the longest
folder (up to a third of the width), and names that do not fit keep their start and end
("7101573…047732"), where names differ most. A near-duplicate's row starts with "≈" (the
title line above the video says which video it copies). A video no folder fits shows
"new kind?" instead of a folder, dimmed whatever its confidence: `Enter` and `A` never file
it into the guess.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vidsort_tui.core.display import display_name
from vidsort_tui.core.listing import VideoEntry
from vidsort_tui.tui.confidence import ConfidenceScale

HEADER = Style(bold=True, dim=True)
CURSOR = Style(bgcolor="#24405a", bold=True)
ACCEPTED = Style(color="green")  # `A` would file it
# Yellow by value: Textual's ANSI "yellow" is the Monokai palette's orange (#fd971f).
LIKELY = Style(color="#e6db74")
UNSURE = Style(dim=True)
COPY = Style(color="magenta", bold=True)
COPY_MARK = "≈"
LIKELY_FLOOR = 0.5
MIN_NAME, MIN_FOLDER, MAX_FOLDER = 8, 4, 16
FOLDER_HEADER = "Folder"
NEW_KIND = "new kind?"


def abbreviate(name: str, width: int) -> str:
    """``name`` in at most ``width`` cells: whole if it fits, else without its extension
    (every listed name is a video), then with the middle replaced by "…"."""
    if cell_len(name) <= width:
        return name
    stem, dot, _ = name.rpartition(".")
    if dot and stem:
        name = stem
        if cell_len(name) <= width:
            return name
    if width <= 1:
        return "…"[:width]
    tail_len = width // 2  # the end keeps the extension and the last digits
    head, tail = name[: width - 1 - tail_len], name[len(name) - tail_len :]
    while cell_len(head) + cell_len(tail) + 1 > width:  # wide characters: trim until it fits
        head, tail = (head[:-1], tail) if cell_len(head) >= cell_len(tail) else (head, tail[1:])
    return f"{head}…{tail}"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with "…" at the end, padded to exactly ``width``."""
    if cell_len(text) > width:
        while text and cell_len(text) + 1 > width:
            text = text[:-1]
        text += "…"
    return text + " " * max(0, width - cell_len(text))


class VideoList(ScrollView):
    """Driven by the screen's keys; it never takes focus itself."""

    can_focus = False
    DEFAULT_CSS = "VideoList { scrollbar-size-vertical: 1; overflow-x: hidden; }"

    class Highlighted(Message):
        """The cursor moved to another row."""

    def __init__(self, scale: ConfidenceScale, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scale = scale
        self.entries: list[VideoEntry] = []
        self.flagged: set[str] = set()  # near-duplicates: marked with COPY_MARK
        self.cursor_row = 0
        self._folder_width = MIN_FOLDER

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def show(self, entries: list[VideoEntry], keep: str | None,
             flagged: set[str] | None = None) -> None:  # fmt: skip
        """Replace the rows, keeping the cursor on ``keep`` when it is still listed;
        ``flagged`` names are near-duplicates."""
        index = self.cursor_row
        names = [e.filename for e in entries]
        if keep in names:
            index = names.index(keep)
        self.entries = entries
        self.flagged = flagged or set()
        folders = {
            NEW_KIND if e.prediction.new_kind else e.prediction.predicted_folder or ""
            for e in entries
        }
        widths = (cell_len(display_name(f)) for f in folders)
        self._folder_width = max([len(FOLDER_HEADER), *widths])
        self.virtual_size = Size(self.size.width, len(entries) + 1)
        self.move_cursor(row=index)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.entries) + 1)

    def move_cursor(self, row: int, animate: bool = False) -> None:
        before = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.entries) - 1)) if self.entries else 0
        self.scroll_to_region(Region(0, self.cursor_row, 1, 2), animate=animate,
                              spacing=None, top=False)  # fmt: skip
        self.refresh()
        if self.cursor_row != before:
            self.post_message(self.Highlighted())

    def get_row_at(self, index: int) -> tuple[str, str, str]:
        """(name, predicted folder, "new kind?" or "—", confidence as shown), unabbreviated."""
        p = self.entries[index].prediction
        if p.new_kind:  # no confidence: beside "new kind?" it would read as the odds of that
            return self.entries[index].filename, NEW_KIND, ""
        if not p.predicted_folder:
            return self.entries[index].filename, "—", ""
        shown = self.scale.text(p.confidence)
        return self.entries[index].filename, p.predicted_folder, f"{shown:>4}"

    def columns(self) -> tuple[int, int, int]:
        """(name, folder, confidence) widths for the current width; one space between."""
        width = max(0, self.scrollable_content_region.width)
        conf = max(4, cell_len(self.scale.text(1.0)))
        folder = min(self._folder_width, MAX_FOLDER, max(MIN_FOLDER, width // 3))
        name = width - conf - folder - 3  # a space before each column
        if name < MIN_NAME:
            folder = max(MIN_FOLDER, folder - (MIN_NAME - name))
            name = max(1, width - conf - folder - 3)
        return name, folder, conf

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        name_w, folder_w, conf_w = self.columns()
        # Every cell carries the widget's own background: a cell without one shows the
        # terminal's default background (white in xterm), not the app's theme.
        background = self.rich_style
        if y == 0:
            text = f" {fit('Video', name_w)} {fit(FOLDER_HEADER, folder_w)} {'Conf':>{conf_w}}"
            return Strip([Segment(fit(text, width), background + HEADER)], width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.entries):
            return Strip.blank(width, background)
        name, folder, confidence = self.get_row_at(index)
        p = self.entries[index].prediction
        colour = UNSURE if p.new_kind else self.colour(p.confidence, name not in self.flagged)
        base = background + (CURSOR if index == self.cursor_row else Style())
        flag = Segment(COPY_MARK, base + COPY) if name in self.flagged else Segment(" ", base)
        segments = [
            flag,
            Segment(f"{fit(abbreviate(display_name(name), name_w), name_w)} ", base),
            Segment(
                f"{fit(display_name(folder), folder_w)} ",
                base + (colour if p.predicted_folder else Style(dim=True)),
            ),
            Segment(f"{confidence.strip():>{conf_w}}", base + colour),
        ]
        strip = Strip(segments).crop(0, width)
        return strip.extend_cell_length(width, base)

    def colour(self, confidence: float, accepted: bool = True) -> Style:
        """Green: `A` files it; yellow: likely; dim: unsure. ``accepted`` False: a row `A`
        leaves whatever its confidence (a near-duplicate), never green."""
        if self.scale.meets(confidence):
            return ACCEPTED if accepted else LIKELY
        return LIKELY if confidence >= LIKELY_FLOOR else UNSURE
