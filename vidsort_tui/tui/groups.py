"""`g`: the look-alike groups screen, over the sorting screen.

While it is up the sorting screen stops its video and its polling (the group screen plays
the members itself); on return it rescans, and the group sorts count towards the next refit
like any other sorts.
"""

from __future__ import annotations

from vidsort_tui.tui.group_screen import GroupScreen
from vidsort_tui.tui.sorting import SortingActions
from vidsort_tui.tui.video_view import VideoView


class GroupActions(SortingActions):
    def action_groups(self) -> None:
        self.query_one(VideoView).play(None)
        self.video_suspended = True
        self.poll_timer.pause()

        async def back(filed: int | None) -> None:
            self.video_suspended = False
            self.poll_timer.resume()
            self.sorts_since_refit += filed or 0
            if filed and self.sorts_since_refit >= self.settings.refit_every:
                self.sorts_since_refit = 0
                self.run_worker(self._refit(), group="refit", exclusive=True)
            await self.reload()
            self.selection_changed(force=True)

        self.app.push_screen(GroupScreen(self), back)
