"""similarity.json matched against the library as it is now, cached while neither changes.

The file (similarity_file.py) may be stale: videos sorted, undone or deleted since the
retrain that wrote it. ``still_holds`` keeps what is still true of the library now;
``SimilarityStore`` caches both the parsed file (by its stat) and the matched result (by the
stat of the folders it depends on), so every GET and every TUI poll is cheap. One store per
process (a TUI, an API worker), like PredictionStore.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Library, Snapshot
from vidsort_tui.core.similarity_file import (
    EMPTY,
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    read_similarity,
)

#: a folder changed this recently may change again within its mtime's tick (see listing.py)
RACY_SECONDS = 2.0


def still_holds(similarity: Similarity, snapshot: Snapshot) -> Similarity:
    """What still holds: groups and order cut to the videos still unsorted (groups of fewer
    than two dropped); duplicate copies found where they are now (a copy that moved is
    followed when its name is in one place only), groups of fewer than two copies dropped."""
    unsorted = set(snapshot.unsorted)
    order = tuple(n for n in similarity.lookalike_order if n in unsorted)
    groups = []
    for group in similarity.groups:
        members = tuple(n for n in group.videos if n in unsorted)
        if len(members) >= 2:
            groups.append(
                LookalikeGroup(members, group.suggested_folder, group.similarity, group.new_kind)
            )
    where: dict[str, list[str | None]] = {n: [None] for n in unsorted}
    for folder, videos in snapshot.categories.items():
        for name in videos:
            where.setdefault(name, []).append(folder)
    duplicates = []
    for duplicate in similarity.duplicates:
        copies: list[Copy] = []
        for copy in duplicate.videos:
            places = where.get(copy.filename, [])
            if copy.folder in places or len(places) == 1:
                found = Copy(copy.filename, copy.folder if copy.folder in places else places[0])
                if found not in copies:
                    copies.append(found)
        if len(copies) >= 2:
            duplicates.append(DuplicateGroup(tuple(copies), duplicate.similarity))
    return Similarity(order, tuple(groups), tuple(duplicates), similarity.warning)


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass
class SimilarityStore:
    """similarity.json of one library, parsed once per change and matched against the
    library once per change of the folders it names (one per process, like PredictionStore)."""

    library: Library
    _raw: Similarity = EMPTY
    _raw_stamp: tuple[int, int, int] | None = None
    _current: Similarity = EMPTY
    _current_stamp: tuple[object, ...] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def path(self) -> Path:
        return Path(self.library.settings.artifacts_dir) / artifacts.SIMILARITY

    def raw(self) -> Similarity:
        """The file as written (reloaded when its stat changes); EMPTY without a file."""
        stamp = _stat_key(self.path)
        with self._lock:
            if stamp != self._raw_stamp:
                self._raw, self._raw_stamp = read_similarity(self.path, self.library.names), stamp
            return self._raw

    @property
    def version(self) -> tuple[int, int, int] | None:
        """Identifies the file last loaded (None: no file)."""
        self.raw()
        return self._raw_stamp

    def _folders_stamp(self, raw: Similarity) -> tuple[object, ...] | None:
        folders = {c.folder for d in raw.duplicates for c in d.videos if c.folder}
        folders |= {c.folder for d in self._current.duplicates for c in d.videos if c.folder}
        root = self.library.root
        stamps = [_stat_key(root)] + [_stat_key(root / f) for f in sorted(folders)]
        try:
            if time.time() - os.stat(root).st_mtime < RACY_SECONDS:
                return None
        except OSError:
            return None
        return (self._raw_stamp, tuple(sorted(folders)), tuple(stamps))

    def current(self) -> Similarity:
        """The file matched against the library now (``still_holds``), cached while unchanged.
        A library that cannot be listed gives EMPTY with its reason as the warning."""
        raw = self.raw()
        stamp = self._folders_stamp(raw)
        with self._lock:
            if stamp is not None and stamp == self._current_stamp:
                return self._current
        try:
            if raw.duplicates:
                snapshot = self.library.scan()
            else:
                snapshot = Snapshot(unsorted=self.library.unsorted())
        except (LibraryError, OSError) as exc:  # the listing says why, elsewhere
            return Similarity(warning=f"cannot list the library: {exc}")
        result = still_holds(raw, snapshot)
        with self._lock:
            self._current, self._current_stamp = result, stamp
        return result


def load_similarity(settings: Settings) -> Similarity:
    """similarity.json matched against the library now (one-off; long-lived processes keep a
    SimilarityStore, which caches)."""
    return SimilarityStore(Library(settings)).current()
