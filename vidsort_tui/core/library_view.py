"""A library as a person sees it: the unsorted videos in the chosen order with their
predictions, the folders with their number keys, the look-alikes and near-duplicates.

One object, built from Settings by the TUI (tui/library_screen.py) and by every API worker
(api_compat/main.py), so the terminal and the page are shown the same things from the same
parts: one Library, one PredictionStore, one SimilarityStore (shared with the listing, so the
look-alike order and the groups come from one parse of similarity.json), one VideoListing.

Folder number keys are a promise made to whoever sees them: once `5` is shown beside "sea",
5 files into sea, in the terminal and on the page, across restarts and new folders. So the
keys are fixed -- folder_keys.json written when they change -- where folders are shown
(``scan``, ``folders``, ``create_folder``), and nowhere else: Library.scan() and the
pipeline's reads never write. A key only computed, never saved, could move when another
folder appears before anything saved it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from vidsort_tui.core.config import Settings
from vidsort_tui.core.folder_keys import FolderKeys
from vidsort_tui.core.library import Folder, Library, Snapshot
from vidsort_tui.core.list_order import read_order, write_order
from vidsort_tui.core.listing import VideoEntry, VideoListing
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.core.similarity_file import Similarity
from vidsort_tui.core.similarity_store import SimilarityStore, still_holds


@dataclass(frozen=True)
class ShownLibrary:
    """Everything one look at the library shows, from one scan."""

    #: the unsorted videos, in the order asked for, with their predictions
    videos: list[VideoEntry]
    #: the folders, with their number keys
    folders: list[Folder]
    #: similarity.json matched against this same scan
    similarity: Similarity
    #: the saved keys this look replaced (a folder gone or added); None: unchanged
    keys_before: dict[str, int] | None
    #: entries named like videos that could not be listed, and why (Snapshot.irregular)
    unlisted: dict[str, str]


class LibraryView:
    """The parts of one library as shown, one per process (a TUI, an API worker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.library = Library(settings)
        self.predictions = PredictionStore(settings.artifacts_dir)
        self.similarity = SimilarityStore(self.library)
        self.listing = VideoListing(self.library, self.predictions, self.similarity)
        self.folder_keys = FolderKeys(Path(settings.artifacts_dir), self.library.names)

    def scan(self) -> Snapshot:
        """One scan, its folders with their number keys (saved if they changed)."""
        snapshot = self.library.scan()
        keys = self.folder_keys.assign(snapshot.categories)
        return replace(snapshot, keys=keys.keys, keys_before=keys.before)

    def folders(self) -> list[Folder]:
        """The folders as shown: counts and number keys."""
        return self.scan().folders

    def look(self, order: str) -> ShownLibrary:
        """The whole library as shown, in ``order`` (core.list_order), from one scan."""
        snapshot = self.scan()
        return ShownLibrary(
            videos=self.listing.entries(snapshot.unsorted, order),
            folders=snapshot.folders,
            similarity=still_holds(self.similarity.raw(), snapshot),
            keys_before=snapshot.keys_before,
            unlisted=snapshot.irregular,
        )

    def create_folder(self, name: str) -> Folder:
        """A new folder (Library.create_folder), with the number key it now has."""
        self.library.create_folder(name)
        keys = self.folder_keys.assign(self.library.folder_names())
        return Folder(name, 0, keys.keys.get(name))

    def saved_order(self) -> str:
        """The list order last chosen, here or in the other interface (list_order.json)."""
        return read_order(self.settings.artifacts_dir)

    def save_order(self, order: str) -> str:
        """Remember ``order`` for the next start and the other interface; returns it."""
        return write_order(self.settings.artifacts_dir, order)
