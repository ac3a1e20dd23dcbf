"""The sorting screen: list, video, folders, status. Every change goes through the core.

Blocking work (scans, sorts, refits) runs in threads via asyncio.to_thread, and its result
is applied back on the event loop, so the screen stays responsive and never hangs on exit.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Folder, Library
from vidsort_tui.core.listing import VideoEntry, VideoListing
from vidsort_tui.core.metrics import MetricsUnavailable, read_metrics
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.services import jobs
from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.folder_panel import FolderPanel
from vidsort_tui.tui.folder_picker import FolderPicker
from vidsort_tui.tui.help_screen import HelpScreen
from vidsort_tui.tui.keymap import bindings
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.video_list import VideoList
from vidsort_tui.tui.video_view import VideoView

POLL_SECONDS = 1.5


class MainScreen(Screen[None]):
    BINDINGS = bindings()

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.library = Library(settings)
        self.listing = VideoListing(self.library, PredictionStore(settings.artifacts_dir))
        self.entries: list[VideoEntry] = []
        self.folders: list[Folder] = []
        self.sorts_since_refit = 0
        self._retrain_polling = False
        self._warned: str | None = None  # the predictions-file warning last shown

    def compose(self) -> ComposeResult:
        yield Static(f"vidsort — {self.library.root.name}", id="title")
        with Horizontal(id="body"):
            yield VideoList(id="videos")
            with Vertical(id="right"):
                yield Static("", id="now")
                yield VideoView(self.settings.player, self.settings.audio, id="video")
                yield FolderPanel(id="folders")
        yield StatusBar(id="status")
        yield Footer()

    async def on_mount(self) -> None:
        await self.reload()
        self.set_interval(POLL_SECONDS, self.poll)
        self._show_accuracy()
        hint = self.query_one(VideoView).fallback_hint
        if hint:
            self.notify_plain(hint, severity="warning", timeout=8)
        if jobs.read_status(self.settings.artifacts_dir).running:
            self._start_retrain_polling()

    def notify_plain(self, message: str, **options: object) -> None:
        """Notify without markup: messages carry file and folder names ("clip [1].mp4")."""
        self.notify(message, markup=False, **options)  # type: ignore[arg-type]

    # ----- state -------------------------------------------------------------------------
    @property
    def current(self) -> VideoEntry | None:
        row = self.query_one(VideoList).cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    async def reload(self, keep: str | None = None) -> None:
        """Rescan the library (in a thread) and show it, keeping the selection."""
        try:
            entries, folders = await asyncio.to_thread(self._scan)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="error")
            return
        self._apply(entries, folders, keep)

    def _scan(self) -> tuple[list[VideoEntry], list[Folder]]:
        snapshot = self.library.scan()  # one pass gives both the list and the counts
        return self.listing.entries(snapshot.unsorted), snapshot.folders

    def _apply(self, entries: list[VideoEntry], folders: list[Folder], keep: str | None) -> None:
        self._report_predictions_warning()
        before = self.current.filename if self.current else None
        self.entries, self.folders = entries, folders
        self.query_one(VideoList).show(entries, keep or before)
        self.query_one("#videos").border_title = f"Unsorted ({len(entries)})"
        self._selection_changed(force=(keep or before) != (self.current and self.current.filename))

    def _report_predictions_warning(self) -> None:
        """A damaged predictions.json shows no predictions; say why, once per problem."""
        warning = self.listing.predictions.warning
        if warning and warning != self._warned:
            self.notify_plain(warning, severity="warning", timeout=10)
        self._warned = warning

    async def poll(self) -> None:
        """Pick up changes by other programs (the HTTP API, a file manager) and new predictions."""
        try:
            entries, folders = await asyncio.to_thread(self._scan)
        except LibraryError:
            return
        if entries != self.entries or folders != self.folders:
            self._apply(entries, folders, None)
        else:
            self._report_predictions_warning()

    def _selection_changed(self, force: bool = True) -> None:
        entry = self.current
        video = self.query_one(VideoView)
        now = self.query_one("#now", Static)
        if entry is None:
            now.update("Nothing left to sort" if not self.entries else "")
            video.play(None)
        else:
            p = entry.prediction
            guess = (
                f"→ {p.predicted_folder} ({p.confidence:.0%})"
                if p.predicted_folder
                else "no prediction yet"
            )
            now.update(Text.assemble((entry.filename, "bold"), "  ", guess))
            if force or video.path != self.library.root / entry.filename:
                video.play(self.library.root / entry.filename)
        self.query_one(FolderPanel).show(
            self.folders, entry.prediction.predicted_folder if entry else None
        )

    def on_video_list_highlighted(self) -> None:
        entry = self.current
        video = self.query_one(VideoView)
        if entry is None or video.path != self.library.root / entry.filename:
            self._selection_changed()

    # ----- actions -----------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        table = self.query_one(VideoList)
        if self.entries:
            table.move_cursor(row=max(0, min(len(self.entries) - 1, table.cursor_row + step)))

    async def action_accept(self) -> None:
        entry = self.current
        if entry is None:
            return
        if not entry.prediction.predicted_folder:
            self.notify_plain(
                "No prediction for this video yet: press a folder's number", severity="warning"
            )
            return
        await self.file_current(entry.prediction.predicted_folder)

    async def action_file_into(self, index: int) -> None:
        if index >= len(self.folders):
            self.notify_plain(
                f"There is no folder {index + 1 if index < 9 else 0}", severity="warning"
            )
            return
        await self.file_current(self.folders[index].name)

    async def file_current(self, folder: str) -> None:
        entry = self.current
        if entry is None:
            return
        try:
            await asyncio.to_thread(self.library.sort, entry.filename, folder)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="error", timeout=6)
            await self.reload()
            return
        self._after_sorts([(entry.filename, folder)])

    def _after_sorts(self, done: list[tuple[str, str]]) -> None:
        row = self.query_one(VideoList).cursor_row
        gone = {name for name, _ in done}
        remaining = [e for e in self.entries if e.filename not in gone]
        keep = remaining[min(row, len(remaining) - 1)].filename if remaining else None
        counts = {f.name: f.count for f in self.folders}
        for _, folder in done:
            counts[folder] = counts.get(folder, 0) + 1
        folders = [Folder(f.name, counts[f.name]) for f in self.folders]
        self._apply(remaining, folders, keep)
        what = f"{done[0][0]} → {done[0][1]}" if len(done) == 1 else f"{len(done)} videos filed"
        self.query_one(StatusBar).last_action = f"Sorted {what} (u undoes)"
        self.sorts_since_refit += len(done)
        if self.sorts_since_refit >= self.settings.refit_every:
            self.sorts_since_refit = 0
            self.run_worker(self._refit(), group="refit", exclusive=True)

    async def _refit(self) -> None:
        """Learn from the latest sorts: refit on cached features, then show new predictions."""
        status = self.query_one(StatusBar)
        status.retrain = "learning from your sorts…"
        child = jobs.start_refit(self.settings)  # None: a retrain or refit is running already
        output, _ = await asyncio.to_thread(child.communicate) if child else (b"", None)
        outcome = jobs.refit_outcome(output)
        status.retrain = "" if outcome is None else f"refitted on {outcome['videos']:.0f} videos"
        self._show_accuracy()
        await self.reload()

    async def action_undo(self) -> None:
        try:
            undone = await asyncio.to_thread(self.library.undo)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="warning")
            return
        entry = undone[0]
        self.query_one(StatusBar).last_action = f"Undid: {entry.filename} is back from {entry.dst}"
        await self.reload(keep=entry.filename)

    def action_pick_folder(self) -> None:
        if self.current is None:
            return
        names = [f.name for f in self.folders]

        async def chosen(folder: str | None) -> None:
            if folder:
                await self.file_current(folder)

        self.app.push_screen(FolderPicker(names), chosen)

    def action_new_folder(self) -> None:
        async def created(name: str | None) -> None:
            if not name:
                return
            try:
                await asyncio.to_thread(self.library.create_folder, name)
            except LibraryError as exc:
                self.notify_plain(str(exc), severity="error")
                return
            self.folders = await asyncio.to_thread(self.library.folders)
            if self.current is not None:
                await self.file_current(name)
            else:
                self._selection_changed(force=False)

        self.app.push_screen(NewFolderScreen(), created)

    def action_pause(self) -> None:
        paused = self.query_one(VideoView).toggle_pause()
        self.query_one(StatusBar).last_action = "Paused" if paused else "Playing"

    def action_seek(self, seconds: float) -> None:
        self.query_one(VideoView).seek(seconds)

    def action_mute(self) -> None:
        muted = self.query_one(VideoView).toggle_mute()
        self.query_one(StatusBar).last_action = "Muted" if muted else "Sound on"

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.settings))

    def action_accept_all(self) -> None:
        plan = [
            (e.filename, e.prediction.predicted_folder)
            for e in self.entries
            if e.prediction.predicted_folder
            and e.prediction.confidence >= self.settings.accept_threshold
        ]
        if not plan:
            self.notify_plain(
                f"No prediction has confidence ≥ {self.settings.accept_threshold:.0%}",
                severity="warning",
            )
            return

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await self._sort_many(plan)  # type: ignore[arg-type]

        self.app.push_screen(ConfirmAcceptAll(plan, self.settings.accept_threshold), confirmed)  # type: ignore[arg-type]

    async def _sort_many(self, plan: list[tuple[str, str]]) -> None:
        def work() -> tuple[list[tuple[str, str]], list[str]]:
            done, errors = [], []
            for name, folder in plan:
                try:
                    self.library.sort(name, folder)
                    done.append((name, folder))
                except LibraryError as exc:
                    errors.append(str(exc))
            return done, errors

        done, errors = await asyncio.to_thread(work)
        if done:
            self._after_sorts(done)
        if errors:
            self.notify_plain(f"{len(errors)} not filed: {errors[0]}", severity="error", timeout=8)

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

    def _start_retrain_polling(self) -> None:
        if not self._retrain_polling:
            self._retrain_polling = True
            self.run_worker(self._poll_retrain(), group="retrain")

    async def _poll_retrain(self) -> None:
        status_bar = self.query_one(StatusBar)
        try:
            while True:
                status = await asyncio.to_thread(jobs.read_status, self.settings.artifacts_dir)
                if not status.running:
                    break
                stage = jobs.stage_label(status.stage)
                status_bar.retrain = f"retraining: {stage} {status.done}/{status.total}"
                await asyncio.sleep(0.5)
        finally:
            self._retrain_polling = False
        ok = status.last_result == "success"
        status_bar.retrain = "retrain done" if ok else f"retrain: {status.last_result}"
        if not ok:
            self.notify_plain(status.last_result or "retrain failed", severity="error", timeout=10)
        self._show_accuracy()
        await self.reload()

    def _show_accuracy(self) -> None:
        try:
            metrics = read_metrics(self.settings.artifacts_dir)
            text = f"model top-1 {metrics['top1']:.2f} · top-3 {metrics['top3']:.2f}"
            if metrics.get("feature_set"):  # content+classical, or classical (and why)
                text += f" · features {metrics['feature_set']}"
        except (MetricsUnavailable, TypeError):  # no file, or no accuracy in it
            text = "no model yet: press r to train"
        self.query_one(StatusBar).accuracy = text
