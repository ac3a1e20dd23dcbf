"""The category folders with their keys and counts; the predicted one is highlighted (a
folder whose key just changed is marked, so the status line's news is seen where it applies).

Entries are packed into lines by hand: a folder's key, name and count never wrap apart.
When the entries do not fit the lines the panel may use (a small terminal), they get
shorter step by step (counts dropped, then names abbreviated) so every folder stays visible
with its key; only past that does the last line say how many more `/` can reach.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from vidsort_tui.core.display import display_name
from vidsort_tui.core.library import Folder
from vidsort_tui.core.names import RESERVED_FOLDERS

GAP = "  "
NAME_LIMITS = (None, 12, 8, 5)  # longest name shown at each step; None = whole names


def shorten(name: str, limit: int | None) -> str:
    """The name cut to ``limit`` characters with "…" at the end (None: unchanged)."""
    if limit is None or len(name) <= limit:
        return name
    return name[: max(1, limit - 1)] + "…"


class FolderPanel(Static):
    def __init__(self, keys: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys = keys  # the key shown for each key slot: slot 1 is keys[0]
        self._folders: list[Folder] = []
        self._predicted: str | None = None
        self._guess_only = False
        self._changed: set[str] = set()  # folders whose key just changed
        #: what the panel says when there is no folder (the screen knows what else to offer)
        self.empty_hint = "No folders yet: press n to create one"

    def show(self, folders: list[Folder], predicted: str | None, guess_only: bool = False) -> None:
        """Folders in key order (1…9, 0), then those without a key by name; not
        ``duplicates/``, which is no place to file into. ``guess_only``: no folder fits the
        video (a new kind): the best guess is underlined, never highlighted as the answer."""
        targets = [f for f in folders if f.name not in RESERVED_FOLDERS]
        self._folders = sorted(targets, key=lambda f: (f.key is None, f.key or 0))
        self._predicted = predicted
        self._guess_only = guess_only
        self.refresh(layout=True)

    @property
    def changed(self) -> set[str]:
        """The folders marked because their key just changed."""
        return self._changed

    def highlight(self, names: set[str]) -> None:
        """Mark folders whose key just changed (the status line says how), until cleared."""
        self._changed = names
        self.refresh()

    def on_resize(self) -> None:
        self.refresh(layout=True)

    @property
    def max_lines(self) -> int:
        """Lines the CSS lets the panel have (max-height less border and padding)."""
        limit = self.styles.max_height
        if limit is None or not limit.is_cells:
            return 1000
        return max(1, int(limit.value) - self.styles.gutter.height)

    def render(self) -> Text:
        if not self._folders:
            return Text(self.empty_hint, style="dim")
        width = max(10, self.content_size.width or self.size.width)
        steps = [(counts, limit) for counts in (True, False) for limit in NAME_LIMITS]
        for with_counts, limit in steps:
            lines = self._pack(width, with_counts, limit)
            if len(lines) <= self.max_lines:
                return Text("\n").join(text for text, _ in lines)
        kept = lines[: self.max_lines - 1]
        hidden = len(self._folders) - sum(n for _, n in kept)
        more = Text(f"+{hidden} more: / picks any folder", style="dim")
        return Text("\n").join([*(text for text, _ in kept), more])

    def _entry(self, folder: Folder, with_counts: bool, limit: int | None) -> Text:
        entry = Text()
        slot = folder.key
        key = self.keys[slot - 1] if slot is not None and slot <= len(self.keys) else "/"
        changed = folder.name in self._changed
        entry.append(key, style="bold reverse cyan" if changed else "bold cyan")
        entry.append(" ")
        style = ""
        if folder.name == self._predicted:
            style = "underline" if self._guess_only else "bold reverse green"
        if changed:
            style += " bold underline"
        entry.append(shorten(display_name(folder.name), limit), style=style.strip())
        if with_counts:
            entry.append(f" {folder.count}", style="dim")
        return entry

    def _pack(self, width: int, with_counts: bool, limit: int | None) -> list[tuple[Text, int]]:
        """Lines of entries, each with how many folders it shows."""
        lines: list[tuple[Text, int]] = []
        for folder in self._folders:
            entry = self._entry(folder, with_counts, limit)
            if lines and lines[-1][0].cell_len + len(GAP) + entry.cell_len <= width:
                text, count = lines[-1]
                text.append(GAP)
                text.append_text(entry)
                lines[-1] = (text, count + 1)
            else:
                lines.append((entry, 1))
        return lines
