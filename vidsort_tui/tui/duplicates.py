"""Near-duplicates in the list: `c` steps through the copies, `d` moves this one to duplicates/.

A flagged row ("≈", and "same as 7234….mp4 in soccer" above the video) is an unsorted video
the similarity file says is the same content as another video. The move is never a delete,
and `u` undoes it like any sort.
"""

from __future__ import annotations

import asyncio

from vidsort_tui.core.duplicates import move_to_duplicates
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.names import DUPLICATES_FOLDER
from vidsort_tui.core.similarity_file import Copy
from vidsort_tui.tui.now_playing import NowPlaying, PlayingCopy
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
        """The next copy, in turn: the one the flag names first, then the others, then back.
        An unsorted copy is selected; a filed one plays here, named in the title line."""
        entry = self.current
        if entry is None:
            self.notify_plain("No video selected: there are no unsorted videos")
            return
        others = self.copies.get(entry.filename, [])
        if not others:
            self.query_one(StatusBar).last_action = self._why_no_copy()
            return
        here = Copy(entry.filename, None)
        if here not in self.copy_cycle:  # a new round, starting from this video
            self.copy_cycle = [here, *others]
        cycle = self.copy_cycle
        shown = self.playing_copy.copy if self.playing_copy else here
        target = cycle[(cycle.index(shown) + 1) % len(cycle)] if shown in cycle else cycle[1]
        place = f"{cycle.index(target) + 1} of {len(cycle)}"
        status = self.query_one(StatusBar)
        if target == here:
            self.selection_changed(force=True)  # plays this video again
            status.last_action = f"Back to {entry.filename} (copy {place})"
            return
        listed = [e.filename for e in self.entries]
        if target.folder is None and target.filename in listed:
            self.playing_copy = None
            self.query_one(VideoList).move_cursor(row=listed.index(target.filename))
            status.last_action = f"Selected the copy {target.filename} ({place}; c: next copy)"
            return
        self.playing_copy = PlayingCopy(target, cycle.index(target) + 1, len(cycle))
        self.query_one(VideoView).play(self.library.root / str(target.folder) / target.filename)
        self.query_one(NowPlaying).show(entry, self.scale, playing=self.playing_copy)
        status.last_action = (
            f"Playing the copy {target.filename} in {target.folder} ({place}; c: next; "
            f"Enter and d still act on {entry.filename})"
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
