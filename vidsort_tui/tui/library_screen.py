"""The sorting screen's widgets and state: list, video, folders, status. Every change goes
through the core, and what is shown comes from core.library_view.LibraryView, the object the
server shows the page from; the keys live in the parts of MainScreen built on this class.

Blocking work (scans, sorts, refits) runs in threads via asyncio.to_thread, and its result
is applied back on the event loop, so the screen stays responsive and never hangs on exit.
"""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Static

from vidsort_tui.core.config import Settings
from vidsort_tui.core.display import display_name, display_text
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.folder_keys import describe_changes
from vidsort_tui.core.keymap import FOLDER_KEYS, display_key, effective_keys
from vidsort_tui.core.library import Folder
from vidsort_tui.core.library_view import LibraryView
from vidsort_tui.core.list_order import ORDER_TITLES
from vidsort_tui.core.listing import VideoEntry
from vidsort_tui.core.metrics import MetricsUnavailable, read_metrics
from vidsort_tui.core.names import RESERVED_FOLDERS, twin_sets
from vidsort_tui.core.similarity_file import EMPTY, Copy, Similarity
from vidsort_tui.tui.confidence import ConfidenceScale
from vidsort_tui.tui.folder_panel import FolderPanel
from vidsort_tui.tui.nothing_to_sort import NothingToSort
from vidsort_tui.tui.now_playing import NowPlaying, PlayingCopy
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.toasts import TOASTS_OVER_THE_VIDEO
from vidsort_tui.tui.video_list import VideoList
from vidsort_tui.tui.video_view import VideoView

POLL_SECONDS = 1.5
#: entries the notice of what is not listed names (`--retrain`'s summary lists them all)
UNLISTED_SHOWN = 3
#: how long a change of folder keys is news (the status line's note, the folders' mark)
KEYS_NEWS = 12.0


def short_name(name: str) -> str:
    """ "7234….mp4" for a long name: its start and its extension."""
    stem, dot, ext = name.rpartition(".")
    if len(name) <= 14 or not dot:
        return name
    return f"{stem[:4]}…{dot}{ext}"


class LibraryScreen(Screen[None]):
    # Notices go over the top of the video pane, never over the folders or the status line
    # (Textual puts them at the bottom right, where a new folder and its key appear).
    CSS = TOASTS_OVER_THE_VIDEO

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.scale = ConfidenceScale(settings.model.accept_threshold)
        self.view = LibraryView(settings)  # the library as shown (the page's too)
        self.library = self.view.library  # for the actions: sort, undo, open
        self.entries: list[VideoEntry] = []
        self.folders: list[Folder] = []
        self.refits_running = 0  # refits this screen waits for (see SortingActions)
        self.order = self.view.saved_order()  # `o` changes it (list_ordering.py)
        #: look-alikes and near-duplicates as of the last scan; has_similarity: a file exists
        self.similarity: Similarity = EMPTY
        self.has_similarity = False
        #: unsorted video -> its other copies (near-duplicates), for the list's flag
        self.copies: dict[str, list[Copy]] = {}
        #: another copy of the selected video plays in its place (`c`), and the copies `c`
        #: steps through (the selected video first)
        self.playing_copy: PlayingCopy | None = None
        self.copy_cycle: list[Copy] = []
        #: another screen plays videos now (the groups screen): this one plays nothing
        self.video_suspended = False
        self._warned: str | None = None  # the predictions-file warning last shown
        self._problem: str | None = None  # why the library cannot be read, if it cannot
        self._shown_keys: dict[str, int] | None = None  # the folder keys the screen shows
        self._keys_warned: str | None = None
        self._unlisted: dict[str, str] = {}  # the last scan's entries it could not list
        self._unlisted_said: dict[str, str] = {}
        self._twins_said: list[list[str]] = []
        self._accuracy_for: bool | None = None  # whether there were folders when last said
        self.just_made: str | None = None  # a folder `n` made, whose sort is not shown yet

    def compose(self) -> ComposeResult:
        keys = effective_keys(self.settings.keys)
        folder_keys = [
            display_key(keys[f"folder_{i + 1}"][0]) if keys[f"folder_{i + 1}"] else "/"
            for i in range(len(FOLDER_KEYS))
        ]
        self.folder_keys = folder_keys  # the key shown beside each folder, in folder order
        video = VideoView(self.settings.player.mode, self.settings.player.audio, id="video")
        yield Static(f"vidsort — {display_name(self.library.root.name)}", id="title", markup=False)
        with Horizontal(id="body"):
            yield VideoList(self.scale, id="videos")
            with Vertical(id="right"):
                yield NowPlaying(video, id="now")
                yield video
                yield NothingToSort(id="nothing")
                yield FolderPanel(folder_keys, id="folders")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.query_one("#folders").border_title = "Folders"
        await self.reload()
        self.poll_timer = self.set_interval(POLL_SECONDS, self.poll)
        self.show_accuracy()
        hint = self.query_one(VideoView).fallback_hint
        if hint:
            self.notify_plain(hint, severity="warning", timeout=8)

    def notify_plain(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float | None = None
    ) -> None:
        """Notify without markup, escaped line by line: messages carry file and folder names
        ("clip [1].mp4", or anything read back from disk)."""
        shown = "\n".join(map(display_text, message.split("\n")))
        self.notify(shown, markup=False, severity=severity, timeout=timeout)

    # ----- state -------------------------------------------------------------------------
    @property
    def current(self) -> VideoEntry | None:
        row = self.query_one(VideoList).cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    async def reload(self, keep: str | None = None) -> None:
        """Rescan the library (in a thread) and show it, keeping the selection (or selecting
        ``keep``)."""
        try:
            entries, folders, similarity, keys_before = await asyncio.to_thread(self._scan)
        except LibraryError as exc:
            self.notify_plain(str(exc), severity="error")
            self._problem = str(exc)
            self.apply([], [], None)
            return
        self._problem = None
        self._report_unlisted()
        self._report_twins(folders)
        self.track_keys(folders, keys_before)
        self.apply(entries, folders, keep, similarity)

    def _scan(self) -> tuple[list[VideoEntry], list[Folder], Similarity, dict[str, int] | None]:
        """The unsorted videos in the chosen order, the folders, the similarity file matched
        against this same scan (one pass over the library gives all three), and the folder
        keys from before this scan."""
        shown = self.view.look(self.order)
        self._unlisted = shown.unlisted
        self.has_similarity = self.view.similarity.version is not None
        return shown.videos, shown.folders, shown.similarity, shown.keys_before

    def track_keys(
        self, folders: list[Folder], keys_before: dict[str, int] | None, new: str | None = None
    ) -> None:
        """Announce any change of folder numbering since the screen last showed the keys
        (at start: since the saved keys, when this scan changed them). ``new``: a folder the
        user has just created, whose key the caller's own message gives."""
        keys = {f.name: f.key for f in folders if f.key is not None}
        before = self._shown_keys if self._shown_keys is not None else keys_before
        if before is not None and before != keys:
            # Said in the status line and marked on the folders themselves, not in a toast:
            # a toast covered exactly the folders and the line it was about.
            others = {f: k for f, k in keys.items() if f not in (new, self.just_made)}
            if said := "; ".join(describe_changes(before, others)):
                status = self.query_one(StatusBar)
                status.set_note("keys", f"Keys: {said}", "bold", ttl=KEYS_NEWS)
            panel = self.query_one(FolderPanel)
            panel.highlight({name for name, key in keys.items() if before.get(name) != key})
            self.set_timer(KEYS_NEWS, lambda: panel.highlight(set()))
        self._shown_keys = keys
        warning = self.view.folder_keys.warning
        if warning and warning != self._keys_warned:
            self.notify_plain(warning, severity="warning", timeout=10)
        self._keys_warned = warning

    def apply(self, entries: list[VideoEntry], folders: list[Folder], keep: str | None,
              similarity: Similarity | None = None) -> None:  # fmt: skip
        self._report_predictions_warning()
        before = self.current.filename if self.current else None
        self.entries, self.folders = entries, folders
        if self._accuracy_for is not None and self._accuracy_for != bool(self.category_names()):
            self.show_accuracy()  # "no folders yet" or "no model yet": folders came or went
        if similarity is not None:
            self.similarity = similarity
            self.copies = {
                copy.filename: [other for other in group.videos if other != copy]
                for group in similarity.duplicates
                for copy in group.videos
                if copy.folder is None
            }
            self.offer_groups()
        self.query_one(VideoList).show(entries, keep or before, flagged=set(self.copies))
        title = f"Unsorted ({len(entries)}) · {ORDER_TITLES.get(self.order, self.order)}"
        self.query_one("#videos").border_title = title
        self.selection_changed(force=(keep or before) != (self.current and self.current.filename))

    def _report_predictions_warning(self) -> None:
        """A damaged predictions.json shows no predictions; say why, once per problem."""
        warning = self.view.predictions.warning
        if warning and warning != self._warned:
            self.notify_plain(warning, severity="warning", timeout=10)
        self._warned = warning

    def _report_unlisted(self) -> None:
        """Files and folders the scan could not list (a name with a control character, a
        link): say which and why, escaped, once for each change."""
        if self._unlisted and self._unlisted != self._unlisted_said:
            shown = sorted(self._unlisted.items())[:UNLISTED_SHOWN]
            lines = [f"{name}: {why}" for name, why in shown]
            if (more := len(self._unlisted) - UNLISTED_SHOWN) > 0:
                lines.append(f"… and {more} more (--retrain lists them)")
            self.notify_plain("\n".join(["Not listed:", *lines]), severity="warning", timeout=10)
        self._unlisted_said = self._unlisted

    def _report_twins(self, folders: list[Folder]) -> None:
        """Folders made on disk that look the same ("Pour" beside "pour"): a key or a pick
        may then file into the one not meant; say so, once for each change."""
        twins = twin_sets(f.name for f in folders)
        if twins and twins != self._twins_said:
            sets = "; ".join(" and ".join(display_name(n) for n in names) for names in twins)
            self.notify_plain(
                f"Folders that look the same: {sets}. Files go to the one you pick; "
                "rename or merge them to keep one",
                severity="warning",
                timeout=10,
            )
        self._twins_said = twins

    async def poll(self) -> None:
        """Pick up changes by other programs (the HTTP API, a file manager) and new predictions."""
        try:
            entries, folders, similarity, keys_before = await asyncio.to_thread(self._scan)
        except LibraryError as exc:
            if self._problem is None:
                self._problem = str(exc)
                self.apply([], [], None)
            return
        self.track_keys(folders, keys_before)
        self._report_unlisted()
        self._report_twins(folders)
        changed = (entries, folders, similarity) != (self.entries, self.folders, self.similarity)
        if self._problem is not None or changed:
            self._problem = None
            self.apply(entries, folders, None, similarity)
        else:
            self._report_predictions_warning()

    def selection_changed(self, force: bool = True) -> None:
        entry = self.current
        video = self.query_one(VideoView)
        nothing = self.query_one(NothingToSort)
        video.display = entry is not None
        nothing.display = entry is None
        if entry is None:
            nothing.show(self.library.root, self.folders, self._problem)
            video.play(None)
            self.playing_copy = None
        elif self.video_suspended:
            pass  # a refit finishing under the groups screen must not start a second video
        elif force or video.path != self.library.root / entry.filename:
            video.play(self.library.root / entry.filename)
            self.playing_copy = None
        self.query_one(NowPlaying).show(entry, self.scale, self.copy_text(entry), self.playing_copy)
        predicted = entry.prediction.predicted_folder if entry else None
        guess_only = entry is not None and entry.prediction.new_kind
        self.query_one(FolderPanel).show(self.folders, predicted, guess_only)

    def category_names(self) -> list[str]:
        """The folders a video can be filed into: not duplicates/ (a place to set copies
        aside with d, never a category)."""
        return [f.name for f in self.folders if f.name not in RESERVED_FOLDERS]

    def folder_for_key(self, index: int) -> str | None:
        """The folder on key slot ``index + 1`` (stable: core/folder_keys.py; None: none)."""
        return next((f.name for f in self.folders if f.key == index + 1), None)

    def copy_text(self, entry: VideoEntry | None) -> str:
        """ "same as 7234….mp4 in soccer" for a near-duplicate, else ""."""
        others = self.copies.get(entry.filename, []) if entry else []
        if not others:
            return ""
        first = others[0]
        where = f"in {first.folder}" if first.folder else "unsorted"
        more = f" (+{len(others) - 1})" if len(others) > 1 else ""
        return f"same as {short_name(first.filename)} {where}{more}"

    def on_video_list_highlighted(self) -> None:
        entry = self.current
        video = self.query_one(VideoView)
        if entry is None or video.path != self.library.root / entry.filename:
            self.selection_changed()

    def offer_groups(self) -> None:
        """Look-alike groups that want a folder of their own (no folder fits them, or there
        is no model to suggest one) are offered in the status line: in a library with no
        folders yet, making one for a group is the first thing to do."""
        wanting = [g for g in self.similarity.groups if g.new_kind or not g.suggested_folder]
        videos = sum(len(g.videos) for g in wanting)
        if not wanting:
            text = ""
        elif len(wanting) == 1:
            text = f"{videos} videos look alike: g makes a folder for them"
        else:
            text = f"{len(wanting)} groups of look-alikes ({videos} videos): g makes their folders"
        self.query_one(StatusBar).set_note("groups", text, "bold")
        folders = self.query_one(FolderPanel)
        folders.empty_hint = "No folders yet: press n to create one" + (
            ", or g for videos that look alike" if wanting else ""
        )

    def files_not_read(self) -> dict[str, str]:
        """The files the last training could not read, with why (metrics.json)."""
        try:
            return dict(read_metrics(self.settings.artifacts_dir)["skipped"])
        except MetricsUnavailable:
            return {}

    def show_accuracy(self) -> None:
        try:
            metrics = read_metrics(self.settings.artifacts_dir)
            text = f"model top-1 {metrics['top1']:.2f} · top-3 {metrics['top3']:.2f}"
            if metrics.get("feature_set"):  # content+classical, or classical (and why)
                text += f" · features {metrics['feature_set']}"
        except (MetricsUnavailable, TypeError):  # no file, or no accuracy in it
            text = "no model yet: press r to train"
            if not self.category_names():  # nothing to learn from: r alone cannot help
                text = "no folders yet: n makes one for the video"
        self._accuracy_for = bool(self.category_names())
        self.query_one(StatusBar).accuracy = text
