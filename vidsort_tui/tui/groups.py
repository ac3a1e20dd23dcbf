"""`g`: the look-alike groups screen, over the sorting screen.

While it is up the sorting screen stops its video and its polling (the group screen plays
the members itself); on return it rescans, and the group's sorts (journalled as one batch)
count towards the next refit like any other sorts.
"""

from __future__ import annotations

from vidsort_tui.tui.group_screen import GroupScreen
from vidsort_tui.tui.sorting import SortingActions
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.video_view import VideoView


class GroupActions(SortingActions):
    def action_groups(self) -> None:
        self.query_one(VideoView).play(None)
        self.video_suspended = True
        self.poll_timer.pause()

        async def back(filed: int | None) -> None:
            self.video_suspended = False
            self.poll_timer.resume()
            # What the line said before the groups (an order, a sort) is no longer news.
            self.query_one(StatusBar).last_action = (
                f"Filed {filed} in groups · u undoes the last group"
                if filed
                else "Back from the look-alike groups"
            )
            if filed and not self.refits_running:  # counted from the journal, like any sort
                self.run_worker(self._refit_if_due(), group="refit")
            await self.reload()
            self.selection_changed(force=True)

        self.app.push_screen(GroupScreen(self), back)
