"""The sorting keys of the main screen: accept, folder keys, picker, new folder, undo.

Actions must be methods of the screen that owns the bindings, so this is one part of
MainScreen, built on the state and helpers of LibraryScreen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.folder_keys import key_text
from vidsort_tui.core.undo import undo_sorts
from vidsort_tui.services import jobs, learning
from vidsort_tui.tui.folder_picker import FolderPicker
from vidsort_tui.tui.library_screen import LibraryScreen
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.video_list import VideoList


class SortingActions(LibraryScreen):
    async def action_accept(self) -> None:
        entry = self.current
        if entry is None:
            self.notify_plain("Nothing to accept: there are no unsorted videos")
            return
        if entry.prediction.new_kind:  # no folder fits: a guess is not filed by itself
            self.new_folder_dialog(new_kind=True)
            return
        if not entry.prediction.predicted_folder:
            self.notify_plain(
                "No prediction for this video yet: press its folder's number "
                "(or r to train the model)",
                severity="warning",
            )
            return
        await self.file_current(entry.prediction.predicted_folder)

    async def action_file_into(self, index: int) -> None:
        """The folder on key slot ``index + 1`` (stable: core/folder_keys.py)."""
        folder = next((f for f in self.folders if f.key == index + 1), None)
        if folder is None:
            self.notify_plain(
                f"No folder {key_text(index + 1)}: the numbers beside the folders are their "
                "keys (n makes a new folder)",
                severity="warning",
            )
            return
        await self.file_current(folder.name)

    async def file_current(self, folder: str, where: str = "") -> None:
        """``where``: more about the folder for the status line ("new folder, key 4")."""
        entry = self.current
        if entry is None:
            self.notify_plain("No video to file: there are no unsorted videos")
            return
        try:
            await asyncio.to_thread(self.library.sort, entry.filename, folder)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="error", timeout=6)
            await self.reload()
            return
        self.after_sorts([(entry.filename, folder)], where=where)

    def after_sorts(self, done: list[tuple[str, str]], learn: bool = True, where: str = "") -> None:
        """Show the sorts at once (no rescan) and refit after every few (``learn``: moves
        into duplicates/ teach the model nothing)."""
        row = self.query_one(VideoList).cursor_row
        gone = {name for name, _ in done}
        remaining = [e for e in self.entries if e.filename not in gone]
        keep = remaining[min(row, len(remaining) - 1)].filename if remaining else None
        counts = {f.name: f.count for f in self.folders}
        for _, folder in done:
            counts[folder] = counts.get(folder, 0) + 1
        folders = [replace(f, count=counts[f.name]) for f in self.folders]
        self.apply(remaining, folders, keep)
        if len(done) == 1:
            said = f"Sorted {done[0][0]} → {done[0][1]} ({where}{'; ' if where else ''}u undoes)"
        else:
            said = f"Filed {len(done)} videos · u undoes all {len(done)}"
        self.query_one(StatusBar).last_action = said
        if not learn or self.refits_running:
            return
        if jobs.first_model_due(self.settings, (f.count for f in folders)):
            self.train_first_model()  # these sorts made the second folder it can learn
        else:
            self.run_worker(self._refit_if_due(), group="refit")

    def train_first_model(self) -> None:
        """Start training a first model, unasked (the main screen says so and follows it)."""
        raise NotImplementedError

    async def _refit_if_due(self) -> None:
        """Learn from the latest sorts (every few, counted from the journal, so sorts made
        on the page count too): refit on cached features, then show new predictions."""
        if not self.refits_running and await asyncio.to_thread(learning.refit_due, self.settings):
            await self._refit(lambda: learning.refit_now(self.settings))

    async def _refit(self, job: Callable[[], dict[str, float] | None]) -> None:
        """Run a refit ``job`` in a thread, saying so, then show the new predictions."""
        self.refits_running += 1
        status = self.query_one(StatusBar)
        status.retrain = "learning from your sorts…"
        try:
            outcome = await asyncio.to_thread(job)
        finally:
            self.refits_running -= 1
        status.retrain = ""
        if outcome is not None:
            status.news(f"refitted on {outcome['videos']:.0f} videos")
        self.show_accuracy()
        await self.reload()

    async def action_undo(self) -> None:
        try:
            undone = (await asyncio.to_thread(undo_sorts, self.library)).undone
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="warning")
            return
        entry = undone[-1]  # the oldest of the step: the list goes back to where it was
        if len(undone) == 1:
            said = f"Undid: {entry.filename} is back from {entry.dst}"
        else:
            said = f"Undid the batch: {len(undone)} videos are back in the unsorted list"
        self.query_one(StatusBar).last_action = said
        await self.reload(keep=entry.filename)
        back = [e.filename for e in undone]
        predicted = self.view.predictions.snapshot()
        if any(name not in predicted for name in back):  # a refit ran since it was sorted
            self.run_worker(self._refit(lambda: learning.predict_returned(self.settings, back)))

    def action_pick_folder(self) -> None:
        entry = self.current
        if entry is None:
            self.notify_plain("No video to file: there are no unsorted videos")
            return
        if not self.category_names():
            self.notify_plain("No folders yet: press n to create one", severity="warning")
            return

        async def chosen(folder: str | None) -> None:
            if folder:
                await self.file_current(folder)

        prediction = entry.prediction
        picker = FolderPicker(
            self.category_names(),
            predicted=prediction.predicted_folder,
            predicted_text=self.scale.text(prediction.confidence),
            guess_only=prediction.new_kind,
        )
        self.app.push_screen(picker, chosen)

    def action_new_folder(self) -> None:
        self.new_folder_dialog()

    def new_folder_dialog(self, new_kind: bool = False) -> None:
        """`n`, or `Enter` on a video no folder fits (``new_kind``: the existing folders are
        offered too, the best guess first): a name and Enter make the folder and file the
        video in one step."""

        async def create(name: str) -> str | None:
            """The core creates the folder; its refusal is shown in the dialog."""
            try:
                await asyncio.to_thread(self.view.create_folder, name)
            except LibraryError as exc:
                return str(exc)
            self.just_made = name  # its key is said with the sort, not by a scan meanwhile
            return None

        async def created(name: str | None) -> None:
            if not name:
                return
            made, self.just_made = name == self.just_made, None
            self.folders = await asyncio.to_thread(self.view.folders)
            self.track_keys(self.folders, None, new=name)
            key = next((key_text(f.key) for f in self.folders if f.name == name), None)
            where = f"new folder, {f'key {key}' if key else 'no key: / picks it'}" if made else ""
            if self.current is not None:
                await self.file_current(name, where)
            else:
                self.query_one(StatusBar).last_action = f"Created folder {name} ({where})"
                self.selection_changed(force=False)

        entry = self.current
        guess = entry.prediction if new_kind and entry is not None else None
        dialog = NewFolderScreen(
            create,
            files_video=entry is not None,
            existing=self.category_names() if guess else None,
            guess=guess.predicted_folder if guess else None,
            guess_text=self.scale.text(guess.confidence) if guess else "",
        )
        self.app.push_screen(dialog, created)
