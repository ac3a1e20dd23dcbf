"""The video library: unsorted videos in DATA_DIR's root, categories as its subfolders.

Every interface (TUI, HTTP API, pipeline) goes through this module, so the name policy,
folder rules, symlink rule and no-overwrite moves are written exactly once.
Resolve once, act on what was resolved: each operation opens the root, then folders and
files relative to that descriptor without following links (dirfd.py), so nothing is checked
by name and then looked up again.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeGuard

from vidsort_tui.core import artifacts, dirfd
from vidsort_tui.core.compaction import compact_if_due
from vidsort_tui.core.config import Settings
from vidsort_tui.core.display import display_name
from vidsort_tui.core.errors import (
    AlreadyExists,
    InvalidFolder,
    JournalUnavailable,
    LibraryError,
    LibraryMissing,
    MoveFailed,
    NotFound,
    Unreadable,
)
from vidsort_tui.core.journal import ROOT, Journal, JournalEntry
from vidsort_tui.core.moves import Intent, Mover
from vidsort_tui.core.names import NamePolicy
from vidsort_tui.core.new_folder import make_folder, refuse_twin

__all__ = ["ROOT", "Folder", "Library", "OpenVideo", "Snapshot", "SortOutcome"]


@dataclass(frozen=True)
class Folder:
    name: str
    count: int
    #: its number key's slot, 1..10 (10 is the key "0"), stable across restarts; None: no key
    key: int | None = None


@dataclass
class Snapshot:
    """One scan of the library: unsorted names (sorted) and each category's video names
    (in no particular order)."""

    unsorted: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    #: entries that look like videos but are not listed ("folder/name" -> why): not regular
    #: files, or names that break a character rule (not UTF-8, a backslash, a control or
    #: direction character), and folders ("name/") not used for such a name; names escaped
    #: (display.display_name); the TUI and a retrain report them
    irregular: dict[str, str] = field(default_factory=dict)
    #: folder -> key slot, and the saved keys this scan replaced (a folder gone or added; None
    #: when it changed nothing): filled only by LibraryView.scan, where keys are shown and so
    #: fixed (core/library_view.py); a Library's own scan never writes, so it has no keys
    keys: dict[str, int] = field(default_factory=dict)
    keys_before: dict[str, int] | None = None

    @property
    def folders(self) -> list[Folder]:
        return [
            Folder(name, len(names), self.keys.get(name)) for name, names in self.categories.items()
        ]


@dataclass(frozen=True)
class SortOutcome:
    filename: str
    folder: str
    entry: JournalEntry


@dataclass
class OpenVideo:
    """A video opened for reading: serve from ``fd`` (never reopen by name); close() it."""

    fd: int
    stat: os.stat_result
    folder: str

    def close(self) -> None:
        os.close(self.fd)


def _folder_sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


class Library:
    """Operations on one DATA_DIR, journalled in ARTIFACTS_DIR/moves.jsonl."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = Path(settings.data_dir)
        self.names = NamePolicy(settings.name_pattern)
        self.journal = Journal(Path(settings.artifacts_dir) / artifacts.JOURNAL)
        self.mover = Mover(Path(settings.artifacts_dir) / artifacts.MOVES_LOCK, self.root)

    def finish_interrupted_moves(self) -> None:
        """Complete a move a crash cut between its two steps (moves.py), so no video is
        listed twice. Explicit, not part of building a Library (a reader must not write): called
        where a process that moves videos starts, before it lists anything (cli/entry.py for
        every mode, api_compat.main.create_app for every server worker). Best effort: a library
        or artifacts folder that cannot be opened is reported by the next operation."""
        with contextlib.suppress(LibraryError, OSError), self.open_root() as root_fd:
            self.mover.finish_interrupted(root_fd)

    # ----- rules -------------------------------------------------------------------------
    def is_valid_name(self, name: object) -> TypeGuard[str]:
        return self.names.is_valid(name)

    def check_name(self, name: object) -> str:
        return self.names.check(name)

    def is_valid_folder_name(self, name: object) -> TypeGuard[str]:
        return self.names.is_valid_folder_name(name)

    def check_folder(self, name: object) -> str:
        """An existing, non-hidden, real (not symlinked) direct subdirectory."""
        with self.open_root() as root_fd, self.open_folder(root_fd, name):
            return self.names.check_folder_name(name)  # checked by open_folder: the str itself

    @contextlib.contextmanager
    def open_root(self) -> Iterator[int]:
        try:
            fd = dirfd.open_root(self.root)
        except OSError as exc:
            raise LibraryMissing(
                f"video folder {self.root} does not exist: create it, or point --data "
                f"(or VIDSORT_DATA_DIR) at your videos"
                if exc.errno in dirfd.NOT_THERE
                else f"video folder {self.root} cannot be opened: {exc.strerror}"
            ) from None
        with dirfd.opened(fd):
            yield fd

    @contextlib.contextmanager
    def open_folder(self, root_fd: int, name: object) -> Iterator[int]:
        """The category's descriptor, opened without following a link."""
        folder = self.names.check_folder_name(name)
        try:
            fd = dirfd.open_dir(folder, root_fd)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise InvalidFolder(f"folder {folder!r} does not exist") from None
            if exc.errno in dirfd.NOT_THERE:
                raise InvalidFolder(f"{folder!r} is not a folder") from None
            raise MoveFailed(f"cannot open folder {folder!r}: {exc.strerror}") from None
        with dirfd.opened(fd):
            yield fd

    # ----- reading -----------------------------------------------------------------------
    def _videos_in(self, dir_fd: int, prefix: str = "", irregular: dict[str, str] | None = None,
                   ordered: bool = True, others: list[os.DirEntry[str]] | None = None,
                   ) -> list[str]:  # fmt: skip
        """Valid video names in the open folder; records what else looks like a video.

        One pass that keeps only names: DirEntry objects of regular files are dropped at once
        (holding 30,000 of them cost 10% of a scan); the rare others go to ``others``.
        """
        others = [] if others is None else others
        with os.scandir(dir_fd) as it:
            files = [
                e.name for e in it if e.is_file(follow_symlinks=False) or _set_aside(e, others)
            ]
        valid = self.names.valid_among(files, ordered)
        if irregular is not None:
            for entry in others:
                if self.is_valid_name(entry.name):
                    irregular[prefix + entry.name] = _kind(entry)
            if len(valid) != len(files):
                for name in set(files).difference(valid):
                    if reason := self.names.unlisted_reason(name):
                        irregular[prefix + display_name(name)] = reason
        return valid

    def scan(self) -> Snapshot:
        """One pass over the root and each category folder. Reads only: a scan writes
        nothing (folder keys are fixed where folders are shown: LibraryView.scan)."""
        irregular: dict[str, str] = {}
        others: list[os.DirEntry[str]] = []
        with self.open_root() as root_fd:
            unsorted = self._videos_in(root_fd, "", irregular, others=others)
            folder_names = []
            for entry in others:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if self.is_valid_folder_name(entry.name):
                    folder_names.append(entry.name)
                elif reason := self.names.unused_folder_reason(entry.name):
                    irregular[f"{display_name(entry.name)}/"] = reason
            folder_names.sort(key=_folder_sort_key)
            categories: dict[str, list[str]] = {}
            for name in folder_names:
                # Unordered: counts are what callers need; sorting 20,000 names cost 15%.
                try:
                    with dirfd.opened(dirfd.open_dir(name, root_fd)) as fd:
                        categories[name] = self._videos_in(fd, f"{name}/", irregular, False)
                except OSError:  # unreadable or vanished mid-scan: show it empty, keep going
                    categories[name] = []
        return Snapshot(unsorted, categories, irregular)

    def unsorted(self) -> list[str]:
        with self.open_root() as root_fd:
            return self._videos_in(root_fd)

    def folder_names(self) -> list[str]:
        """The category folders' names, in name order, without counting their videos."""
        with self.open_root() as root_fd:
            return self._category_names(root_fd)

    def _category_names(self, root_fd: int) -> list[str]:
        with os.scandir(root_fd) as it:
            names = [e.name for e in it if e.is_dir(follow_symlinks=False)]
        return sorted((n for n in names if self.is_valid_folder_name(n)), key=_folder_sort_key)

    def open_video(self, filename: str) -> OpenVideo:
        """The video opened for reading: the root first, then the category folders.

        A folder that cannot be read is passed over; a video that cannot be read is an
        Unreadable error. One retry covers a video caught between two folders by a move.
        """
        self.check_name(filename)
        for _attempt in range(2):
            with self.open_root() as root_fd:
                found = self._open_in(root_fd, filename, ROOT)
                for folder in [] if found else self._category_names(root_fd):
                    try:
                        folder_fd = dirfd.open_dir(folder, root_fd)
                    except OSError:  # unreadable (lost+found), vanished or swapped: not here
                        continue
                    with dirfd.opened(folder_fd):
                        if found := self._open_in(folder_fd, filename, folder):
                            break
            if found:
                return found
        raise NotFound(f"video {filename!r} not found")

    def _open_in(self, dir_fd: int, filename: str, folder: str) -> OpenVideo | None:
        try:
            opened = dirfd.open_regular(filename, dir_fd)
        except PermissionError:
            raise Unreadable(f"video {filename!r} cannot be read: permission denied") from None
        return OpenVideo(opened[0], opened[1], folder) if opened else None

    def locate(self, filename: str) -> Path:
        """Where the video is now (root first, then folders): for display, not for opening."""
        video = self.open_video(filename)
        video.close()
        return self.root / video.folder / filename if video.folder else self.root / filename

    # ----- changing ----------------------------------------------------------------------
    def move_at(self, fds: tuple[int, int, int], filename: str, src: str, dst: str) -> None:
        """Move between two open folders (fds: root, source, target)."""
        root_fd, src_fd, dst_fd = fds
        try:
            self.mover.move(src_fd, dst_fd, filename, Intent(src=src, dst=dst, name=filename),
                            root_fd)  # fmt: skip
        except FileExistsError:
            where = dst or "the unsorted folder"
            raise AlreadyExists(
                f"{filename!r} already exists in {where}; nothing was moved"
            ) from None
        except FileNotFoundError:
            raise NotFound(f"video {filename!r} not found (already sorted?)") from None
        except IsADirectoryError:
            raise NotFound(f"{filename!r} is not a video file") from None
        except PermissionError as exc:
            raise MoveFailed(f"permission denied moving {filename!r}: {exc.strerror}") from None
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                raise MoveFailed(
                    f"cannot move {filename!r}: folder {dst!r} is on another filesystem"
                ) from None
            raise MoveFailed(f"cannot move {filename!r}: {exc.strerror or exc}") from None

    def sort(self, filename: str, folder: str, batch: str | None = None) -> SortOutcome:
        """Move an unsorted video into ``folder``; never overwrites, journalled for undo
        (as part of ``batch``, one undo step, when given: use batch.sort_batch)."""
        self.check_name(filename)
        self.names.check_folder_name(folder)
        with self.open_root() as root_fd, self.open_folder(root_fd, folder) as folder_fd:
            self.move_at((root_fd, root_fd, folder_fd), filename, ROOT, folder)
            entry = JournalEntry.new("sort", filename, ROOT, folder, batch=batch)
            try:
                self.journal.append(entry)
            except OSError as exc:
                # Without a journal line the sort could not be undone: put the video back.
                try:
                    self.move_at((root_fd, folder_fd, root_fd), filename, folder, ROOT)
                    where = "the video was left unsorted"
                except LibraryError as back:
                    where = f"it stays in {folder!r} but cannot be undone ({back})"
                raise JournalUnavailable(
                    f"could not record the sort of {filename!r} ({exc.strerror or exc}); {where}"
                ) from None
        compact_if_due(self.journal)  # now and then, when no undo is running
        return SortOutcome(filename, folder, entry)

    def check_new_folder(self, name: object) -> str:
        """A name a new folder may take: the folder rule, and no folder there already that
        looks the same (AlreadyExists, naming it; new_folder.py)."""
        folder = self.names.check_folder_name(name)
        with self.open_root() as root_fd:
            refuse_twin(root_fd, folder)
        return folder

    def create_folder(self, name: str) -> Folder:
        """A new category, unless one that looks the same exists (new_folder.py); its number
        key is given where folders are shown (LibraryView.create_folder)."""
        self.names.check_folder_name(name)
        with self.open_root() as root_fd:
            make_folder(root_fd, name, self.mover.lock_path)
        return Folder(name, 0)


def _set_aside(entry: os.DirEntry[str], others: list[os.DirEntry[str]]) -> Literal[False]:
    others.append(entry)
    return False


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "a symbolic link (never followed)"
    if entry.is_dir(follow_symlinks=False):
        return "a directory"
    return "not a regular file"
