"""What the video pane shows when there is no unsorted video: why, and what to do next.

"All sorted" (with the counts) and "no videos yet" are different situations for a person:
the first is done, the second has not started.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from vidsort_tui.core.display import display_name, display_text
from vidsort_tui.core.library import Folder


def summary(root: Path, folders: list[Folder], problem: str | None = None) -> Text:
    """The pane's text for an empty unsorted list."""
    sorted_count = sum(f.count for f in folders)
    where = display_text(str(root))
    text = Text()
    if problem:
        text.append("Cannot read the library\n\n", style="bold red")
        text.append(f"{display_text(problem)}\n")
        return text
    if sorted_count:
        text.append("All sorted\n\n", style="bold green")
        text.append(f"{sorted_count} videos in {len(folders)} folders:\n")
        for folder in folders:
            text.append(f"  {display_name(folder.name)}", style="bold")
            text.append(f"  {folder.count}\n")
        text.append(f"\nNew videos put in {where} show up here within 2 s.  q quits.")
        return text
    text.append("No videos yet\n\n", style="bold yellow")
    text.append(f"Put videos in {where}: the ones at the top level are sorted here, ")
    text.append("each folder inside it is a category (n creates one). ")
    text.append("They show up within 2 s.")
    return text


class NothingToSort(Static):
    def show(self, root: Path, folders: list[Folder], problem: str | None = None) -> None:
        self.update(summary(root, folders, problem))
