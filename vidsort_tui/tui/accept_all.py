"""`A`: file every video whose prediction reaches the threshold, after a confirmation.

Which videos qualify is decided by ConfidenceScale.meets, the same rule the list uses to
show a confidence and to colour it green, so what the screen shows is what `A` does. Two
kinds of row are left for a person even at a high confidence, and the confirmation says
how many: a "new kind?" (no folder fits it: filing it anywhere would be a guess) and a
near-duplicate "≈" (filed with its original, the library would hold the video twice).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from vidsort_tui.core.batch import sort_batch
from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.sorting import SortingActions


@dataclass
class AcceptPlan:
    """What `A` would file, and the confident rows it leaves alone (with why)."""

    files: list[tuple[str, str]] = field(default_factory=list)
    new_kinds: int = 0
    duplicates: int = 0

    def left_text(self) -> str:
        """ "left for you: 2 new kinds?, 1 near-duplicate (≈)" ("" when none is left)."""
        parts = []
        if self.new_kinds:
            parts.append(f"{self.new_kinds} new kind{'' if self.new_kinds == 1 else 's'}? "
                         "(no folder fits: Enter makes one)")  # fmt: skip
        if self.duplicates:
            copies = "near-duplicate" if self.duplicates == 1 else "near-duplicates"
            parts.append(f"{self.duplicates} {copies} ≈ (c plays the copy, d sets it aside)")
        return f"left for you: {', '.join(parts)}" if parts else ""


class AcceptAllActions(SortingActions):
    def accept_all_plan(self) -> AcceptPlan:
        """(video, folder) for every prediction at or above the threshold, but for new kinds
        and near-duplicates."""
        plan = AcceptPlan()
        for e in self.entries:
            p = e.prediction
            if not p.predicted_folder or not self.scale.meets(p.confidence):
                continue
            if p.new_kind:
                plan.new_kinds += 1
            elif e.filename in self.copies:
                plan.duplicates += 1
            else:
                plan.files.append((e.filename, p.predicted_folder))
        return plan

    def action_accept_all(self) -> None:
        plan = self.accept_all_plan()
        if not plan.files:
            self.notify_plain(self._why_nothing_to_accept(plan), severity="warning", timeout=8)
            return

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await self.sort_many(plan.files)

        self.app.push_screen(ConfirmAcceptAll(plan.files, self.scale, plan.left_text()), confirmed)

    def _why_nothing_to_accept(self, plan: AcceptPlan) -> str:
        threshold = self.scale.threshold_text()
        predicted = [e.prediction.confidence for e in self.entries if e.prediction.predicted_folder]
        if not self.entries:
            return "Nothing to accept: there are no unsorted videos"
        if not predicted:
            return "No predictions yet: press r to train the model, or file videos by number"
        if plan.new_kinds or plan.duplicates:
            return f"Nothing to accept at {threshold}: {plan.left_text()}"
        return (
            f"No prediction reaches {threshold} (the best is {self.scale.text(max(predicted))}): "
            "file them one by one, or lower accept_threshold ([model]) in "
            f"{self.settings.config_file}"
        )

    async def sort_many(self, plan: list[tuple[str, str]]) -> None:
        """File the plan as one batch: one `u` brings every one of them back."""
        outcome = await asyncio.to_thread(sort_batch, self.library, plan)
        if outcome.sorted:
            self.after_sorts([(s.filename, s.folder) for s in outcome.sorted])
        if outcome.failed:
            first = outcome.failed[0].reason
            self.notify_plain(
                f"{len(outcome.failed)} not filed: {first}", severity="error", timeout=8
            )
