"""The video library: unsorted videos in DATA_DIR's root, categories as its subfolders.

Every interface (TUI, HTTP API, pipeline) goes through this module, so the name policy,
folder rules, symlink rule and no-overwrite moves are written exactly once.
Symlinks are never videos and never categories: nothing here follows one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from vidsort_tui.core.atomic import fsync_dir
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import (
    AlreadyExists,
    InvalidFolder,
    LibraryError,
    LibraryMissing,
    MoveFailed,
    NotFound,
    NothingToUndo,
    UndoRefused,
)
from vidsort_tui.core.moves import (
    Journal,
    JournalEntry,
    file_lock,
    finish_interrupted_move,
    move_no_replace,
)
from vidsort_tui.core.names import NamePolicy

ROOT = ""  # the folder name journal entries use for DATA_DIR itself


@dataclass(frozen=True)
class Folder:
    name: str
    count: int


@dataclass
class Snapshot:
    """One scan of the library: unsorted names (sorted) and each category's video names
    (in no particular order)."""

    unsorted: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    #: entries named like videos that are not regular files ("folder/name" -> what they are):
    #: never listed as videos, reported so a retrain can say why they were skipped
    irregular: dict[str, str] = field(default_factory=dict)

    @property
    def folders(self) -> list[Folder]:
        return [Folder(name, len(names)) for name, names in self.categories.items()]


@dataclass(frozen=True)
class SortOutcome:
    filename: str
    folder: str
    entry: JournalEntry


def _folder_sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


class Library:
    """Operations on one DATA_DIR, journalled in ARTIFACTS_DIR/moves.jsonl."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = Path(settings.data_dir)
        self.names = NamePolicy(settings.name_pattern)
        self.journal = Journal(Path(settings.artifacts_dir) / "moves.jsonl")
        self._move_lock = Path(settings.artifacts_dir) / "moves.lock"
        finish_interrupted_move(self._move_lock)

    # ----- rules -------------------------------------------------------------------------
    def is_valid_name(self, name: object) -> bool:
        return self.names.is_valid(name)

    def check_name(self, name: object) -> str:
        return self.names.check(name)

    is_valid_folder_name = staticmethod(NamePolicy.is_valid_folder_name)

    def check_folder(self, name: object) -> str:
        """An existing, non-hidden, real (not symlinked) direct subdirectory."""
        if not self.is_valid_folder_name(name):
            raise InvalidFolder(f"invalid folder name {repr(name)[:80]}")
        self._require_root()
        try:
            mode = os.lstat(self.root / name).st_mode  # type: ignore[operator]
        except (FileNotFoundError, NotADirectoryError):
            raise InvalidFolder(f"folder {name!r} does not exist") from None
        if not stat.S_ISDIR(mode):
            raise InvalidFolder(f"{name!r} is not a folder")
        return name  # type: ignore[return-value]

    def _require_root(self) -> None:
        if not self.root.is_dir():
            raise LibraryMissing(
                f"video folder {self.root} does not exist: create it, or point --data "
                f"(or VIDSORT_DATA_DIR) at your videos"
            )

    # ----- reading -----------------------------------------------------------------------
    def _videos_in(self, directory: Path, prefix: str = "", irregular: dict[str, str] | None = None,
                   ordered: bool = True, others: list[os.DirEntry[str]] | None = None,
                   ) -> list[str]:  # fmt: skip
        """Valid video names in ``directory``; records what else is named like a video.

        One pass that keeps only names: DirEntry objects of regular files are dropped at once
        (holding 30,000 of them cost 10% of a scan); the rare others go to ``others``.
        """
        others = [] if others is None else others
        with os.scandir(directory) as it:
            files = [e.name for e in it if e.is_file(follow_symlinks=False) or others.append(e)]
        if irregular is not None:
            for entry in others:
                if self.is_valid_name(entry.name):
                    irregular[prefix + entry.name] = _kind(entry)
        return self.names.valid_among(files, ordered)

    def scan(self) -> Snapshot:
        """One pass over the root and each category folder."""
        self._require_root()
        irregular: dict[str, str] = {}
        others: list[os.DirEntry[str]] = []
        unsorted = self._videos_in(self.root, "", irregular, others=others)
        folder_names = sorted(
            (e.name for e in others
             if e.is_dir(follow_symlinks=False) and self.is_valid_folder_name(e.name)
             and e.name not in irregular),  # a directory named like a video is no category
            key=_folder_sort_key,
        )  # fmt: skip
        categories: dict[str, list[str]] = {}
        for name in folder_names:
            try:
                # Unordered: counts are what callers need; sorting 20,000 names cost 15%.
                categories[name] = self._videos_in(self.root / name, f"{name}/", irregular, False)
            except OSError:  # unreadable or vanished mid-scan: show it empty, keep going
                categories[name] = []
        return Snapshot(unsorted, categories, irregular)

    def unsorted(self) -> list[str]:
        self._require_root()
        return self._videos_in(self.root)

    def folders(self) -> list[Folder]:
        return self.scan().folders

    def locate(self, filename: str) -> Path:
        """The video's path: the root first, then the category folders."""
        self.check_name(filename)
        self._require_root()
        candidates = [self.root / filename]
        with os.scandir(self.root) as it:
            subdirs = sorted(
                e.name for e in it if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            )
        candidates += [self.root / d / filename for d in subdirs]
        for path in candidates:
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    return path
            except (FileNotFoundError, NotADirectoryError):
                continue
        raise NotFound(f"video {filename!r} not found")

    # ----- changing ----------------------------------------------------------------------
    def _move(self, filename: str, src_dir: str, dst_dir: str) -> None:
        src = self.root / src_dir / filename if src_dir else self.root / filename
        dst = self.root / dst_dir / filename if dst_dir else self.root / filename
        try:
            mode = os.lstat(src).st_mode
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(f"video {filename!r} not found (already sorted?)") from None
        if not stat.S_ISREG(mode):
            raise NotFound(f"{filename!r} is not a video file")
        try:
            move_no_replace(src, dst, self._move_lock)
        except FileExistsError:
            where = dst_dir or "the unsorted folder"
            raise AlreadyExists(
                f"{filename!r} already exists in {where}; nothing was moved"
            ) from None
        except FileNotFoundError:
            raise NotFound(f"video {filename!r} not found (already sorted?)") from None
        except PermissionError as exc:
            raise MoveFailed(f"permission denied moving {filename!r}: {exc.strerror}") from None
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                raise MoveFailed(
                    f"cannot move {filename!r}: folder {dst_dir!r} is on another filesystem"
                ) from None
            raise MoveFailed(f"cannot move {filename!r}: {exc.strerror or exc}") from None

    def sort(self, filename: str, folder: str) -> SortOutcome:
        """Move an unsorted video into ``folder``; never overwrites, journalled for undo."""
        self.check_name(filename)
        self.check_folder(folder)
        self._move(filename, ROOT, folder)
        entry = JournalEntry.new("sort", filename, ROOT, folder)
        try:
            self.journal.append(entry)
        except OSError as exc:
            # Without a journal line the sort could not be undone: put the video back.
            with contextlib.suppress(LibraryError):
                self._move(filename, folder, ROOT)
            raise MoveFailed(
                f"could not record the sort of {filename!r} ({exc.strerror or exc}); "
                "the video was left unsorted"
            ) from None
        return SortOutcome(filename, folder, entry)

    def create_folder(self, name: str) -> Folder:
        if not self.is_valid_folder_name(name):
            raise InvalidFolder(f"invalid folder name {repr(name)[:80]}")
        self._require_root()
        try:
            os.mkdir(self.root / name)
        except FileExistsError:
            raise AlreadyExists(f"folder {name!r} already exists") from None
        except OSError as exc:
            raise MoveFailed(f"cannot create folder {name!r}: {exc.strerror or exc}") from None
        fsync_dir(self.root)
        return Folder(name, 0)

    def undo(self, count: int = 1) -> list[JournalEntry]:
        """Undo the last ``count`` sorts, newest first; returns the sorts undone.

        Refuses (UndoRefused) when a video has moved on or its old place is taken; a video
        that moved on is dropped from the undo history so older sorts stay undoable.
        """
        self._require_root()
        done: list[JournalEntry] = []
        with file_lock(self.journal.lock_path):
            pending = self.journal.pending_sorts()
            if not pending:
                raise NothingToUndo("nothing to undo")
            for entry in reversed(pending[-count:]):
                where = self.root / entry.dst / entry.filename
                if not os.path.lexists(where):
                    self.journal.append(
                        JournalEntry.new("forget", entry.filename, entry.dst, "", entry.id)
                    )
                    raise UndoRefused(
                        f"cannot undo {entry.filename!r}: it is no longer in {entry.dst!r}"
                        + _undone_suffix(done)
                    )
                try:
                    self._move(entry.filename, entry.dst, entry.src)
                except AlreadyExists:
                    raise UndoRefused(
                        f"cannot undo {entry.filename!r}: a file with that name is back in "
                        "the unsorted folder" + _undone_suffix(done)
                    ) from None
                except LibraryError as exc:
                    raise UndoRefused(f"cannot undo: {exc}{_undone_suffix(done)}") from None
                self.journal.append(
                    JournalEntry.new("undo", entry.filename, entry.dst, entry.src, entry.id)
                )
                done.append(entry)
        return done


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "a symbolic link (never followed)"
    if entry.is_dir(follow_symlinks=False):
        return "a directory"
    return "not a regular file"


def _undone_suffix(done: list[JournalEntry]) -> str:
    return f" ({len(done)} undone before it)" if done else ""
