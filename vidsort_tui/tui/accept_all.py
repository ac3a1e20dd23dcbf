"""`A`: file every video whose prediction reaches the threshold, after a confirmation.

Which videos qualify is decided by ConfidenceScale.meets, the same rule the list uses to
show a confidence and to colour it green, so what the screen shows is what `A` does.
"""

from __future__ import annotations

import asyncio

from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.sorting import SortingActions


class AcceptAllActions(SortingActions):
    def accept_all_plan(self) -> list[tuple[str, str]]:
        """(video, folder) for every prediction at or above the threshold."""
        return [
            (e.filename, e.prediction.predicted_folder)
            for e in self.entries
            if e.prediction.predicted_folder and self.scale.meets(e.prediction.confidence)
        ]

    def action_accept_all(self) -> None:
        plan = self.accept_all_plan()
        if not plan:
            self.notify_plain(self._why_nothing_to_accept(), severity="warning", timeout=8)
            return

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await self.sort_many(plan)

        self.app.push_screen(ConfirmAcceptAll(plan, self.scale), confirmed)

    def _why_nothing_to_accept(self) -> str:
        threshold = self.scale.threshold_text()
        predicted = [e.prediction.confidence for e in self.entries if e.prediction.predicted_folder]
        if not self.entries:
            return "Nothing to accept: there are no unsorted videos"
        if not predicted:
            return "No predictions yet: press r to train the model, or file videos by number"
        return (
            f"No prediction reaches {threshold} (the best is {self.scale.text(max(predicted))}): "
            f"file them one by one, or lower accept_all.threshold in {self.settings.config_file}"
        )

    async def sort_many(self, plan: list[tuple[str, str]]) -> None:
        """File the plan as one batch: one `u` brings every one of them back."""
        outcome = await asyncio.to_thread(self.library.sort_batch, plan)
        if outcome.sorted:
            self.after_sorts([(s.filename, s.folder) for s in outcome.sorted])
        if outcome.failed:
            first = outcome.failed[0].reason
            self.notify_plain(
                f"{len(outcome.failed)} not filed: {first}", severity="error", timeout=8
            )
