"""`o`: cycle the unsorted list's order, and remember the choice across restarts.

A thin caller of core.list_order: the order itself (order_videos, the same function behind
/api/videos?order=) and the saved choice (list_order.json, where the page reads it too) are
the core's. The selected video stays selected in the new order.
"""

from __future__ import annotations

import asyncio

from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.list_order import ORDER_LABELS, next_order
from vidsort_tui.tui.library_screen import LibraryScreen
from vidsort_tui.tui.status_bar import StatusBar


class OrderActions(LibraryScreen):
    async def action_cycle_order(self) -> None:
        self.order = next_order(self.order)
        said = f"Order: {ORDER_LABELS[self.order]} (o changes it)"
        if self.order == "similar" and not self.has_similarity:
            said += " · no look-alikes known until the model trains (r): shown as found"
        try:
            await asyncio.to_thread(self.view.save_order, self.order)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="warning", timeout=8)
        self.query_one(StatusBar).last_action = said
        # The video being watched stays selected (and in view): a new order must not take
        # it away mid-decision; Home goes to the top of the new order.
        await self.reload(keep=self.current.filename if self.current else None)
