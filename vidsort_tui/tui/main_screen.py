"""The sorting screen: the bindings, and the parts that are its keys.

Widgets and state: LibraryScreen. Sorting keys: SortingActions; `A`: AcceptAllActions;
moving and playback: PlaybackActions; `o`: OrderActions; `g`: GroupActions (GroupScreen);
`c` and `d`: DuplicateActions. Retrain and help live here.
"""

from __future__ import annotations

import asyncio

from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.names import MIN_EXAMPLES
from vidsort_tui.services import job_status, jobs
from vidsort_tui.tui.accept_all import AcceptAllActions
from vidsort_tui.tui.bindings import bindings
from vidsort_tui.tui.duplicates import DuplicateActions
from vidsort_tui.tui.groups import GroupActions
from vidsort_tui.tui.help_screen import HelpScreen
from vidsort_tui.tui.list_ordering import OrderActions
from vidsort_tui.tui.playback import PlaybackActions
from vidsort_tui.tui.retrain_text import failure_text, skipped_text
from vidsort_tui.tui.status_bar import StatusBar


class MainScreen(AcceptAllActions, PlaybackActions, OrderActions, GroupActions, DuplicateActions):
    BINDINGS = bindings()

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._retrain_polling = False

    async def on_mount(self) -> None:
        await super().on_mount()
        if job_status.read_status(self.settings.artifacts_dir).running:
            self._start_retrain_polling()
        elif jobs.first_model_due(self.settings, (f.count for f in self.folders)):
            self.train_first_model()
        elif jobs.lookalikes_due(self.settings, (f.count for f in self.folders), len(self.entries)):
            self._look_for_lookalikes()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.settings))

    # ----- retrain -----------------------------------------------------------------------
    def action_retrain(self) -> None:
        try:
            outcome = jobs.start_background(self.settings)
        except LibraryError as exc:  # the artifacts folder is read-only or full
            self.notify_plain(str(exc), severity="error", timeout=10)
            return
        if outcome == "already_running":
            self.notify_plain("A retrain is already running", severity="warning")
        self._start_retrain_polling()

    def train_first_model(self) -> None:
        """A library that can be learned and no model: train without waiting for `r` (at
        start, or when sorts have just made the second folder it can learn from)."""
        learnable = sum(1 for f in self.folders if f.count >= MIN_EXAMPLES)
        self._retrain_unasked(
            f"No model yet: training one from your {learnable} folders",
            "predictions appear when it is done",
        )

    def _look_for_lookalikes(self) -> None:
        """A flat folder and no folder yet: read every video and group the look-alikes, so
        the first thing offered is a folder for videos that belong together."""
        self._retrain_unasked(
            f"No folders yet: looking for look-alikes among your {len(self.entries)} videos",
            "groups to make folders from appear when it is done",
        )

    def _retrain_unasked(self, said: str, then: str) -> None:
        try:
            jobs.start_background(self.settings)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="error", timeout=10)
            return
        # News without an expiry: "retrain done" (or "failed") replaces it when it ends.
        self.query_one(StatusBar).set_note("news", said, "yellow")
        self.notify_plain(
            f"{said} in the background; {then} (auto_train = false in the config turns this off)",
            timeout=10,
        )
        self._start_retrain_polling()

    def _start_retrain_polling(self) -> None:
        if not self._retrain_polling:
            self._retrain_polling = True
            self.run_worker(self._poll_retrain(), group="retrain")

    async def _poll_retrain(self) -> None:
        status_bar = self.query_one(StatusBar)
        refitting = False  # a refit after sorts (reads no file), not a retrain
        try:
            while True:
                status = await asyncio.to_thread(
                    job_status.read_status, self.settings.artifacts_dir
                )
                if not status.running:
                    break
                refitting = status.stage == job_status.REFIT_STAGE
                progress = job_status.progress_text(status.stage, status.done, status.total)
                status_bar.retrain = f"retraining: {progress}"
                await asyncio.sleep(0.5)
        finally:
            self._retrain_polling = False
        ok = status.last_result == "success"
        status_bar.retrain = ""
        status_bar.news("retrain done" if ok else "retrain failed")
        if not ok:
            message = failure_text(status.last_result, self.settings.artifacts_dir)
            self.notify_plain(message, severity="error", timeout=15)
        elif not refitting and (
            unread := skipped_text(self.files_not_read(), self.settings.artifacts_dir)
        ):
            self.notify_plain(unread, severity="warning", timeout=15)
        self.show_accuracy()
        await self.reload()
