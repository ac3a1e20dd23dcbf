"""Near-duplicates in the list: `c` plays the other copy, `d` moves this one to duplicates/.

A flagged row ("≈", and "same as 7234….mp4 in soccer" above the video) is an unsorted video
the similarity file says is the same content as another video. The move is never a delete,
and `u` undoes it like any sort.
"""

from __future__ import annotations

import asyncio

from vidsort_tui.core.duplicates import move_to_duplicates
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.names import DUPLICATES_FOLDER
from vidsort_tui.tui.sorting import SortingActions
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.video_list import VideoList
from vidsort_tui.tui.video_view import VideoView


class DuplicateActions(SortingActions):
    def _why_no_copy(self) -> str:
        if not self.has_similarity:
            return "No near-duplicates known yet: they are found when the model trains (r)"
        return "This video has no known copy (near-duplicates are marked ≈ in the list)"

    def action_other_copy(self) -> None:
        """The copy the flag names: selected when it is unsorted too, else played here (again:
        back)."""
        entry = self.current
        if entry is None:
            self.notify_plain("No video selected: there are no unsorted videos")
            return
        others = self.copies.get(entry.filename, [])
        if not others:
            self.query_one(StatusBar).last_action = self._why_no_copy()
            return
        status, video = self.query_one(StatusBar), self.query_one(VideoView)
        listed = [e.filename for e in self.entries]
        other = others[0]  # the copy the flag names ("same as X in Y")
        if other.folder is None and other.filename in listed:
            self.query_one(VideoList).move_cursor(row=listed.index(other.filename))
            status.last_action = f"Selected the other copy {other.filename} (c jumps back)"
            return
        path = self.library.root / str(other.folder) / other.filename
        if video.path == path:  # showing the copy: back to this video
            video.play(self.library.root / entry.filename)
            status.last_action = f"Back to {entry.filename}"
            return
        video.play(path)
        status.last_action = (
            f"Playing the copy {other.filename} in {other.folder} (c goes back; "
            f"d moves {entry.filename} to {DUPLICATES_FOLDER}/)"
        )

    async def action_to_duplicates(self) -> None:
        entry = self.current
        if entry is None:
            self.notify_plain("Nothing to move: there are no unsorted videos")
            return
        if entry.filename not in self.copies:
            self.notify_plain(
                f"{self._why_no_copy()}; d moves only videos marked ≈", severity="warning"
            )
            return
        try:
            await asyncio.to_thread(move_to_duplicates, self.library, entry.filename)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="error", timeout=8)
            await self.reload()
            return
        self.after_sorts([(entry.filename, DUPLICATES_FOLDER)], learn=False)
