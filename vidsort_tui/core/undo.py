"""Undo: put sorted videos back, newest first, from the journal.

One undo step is one sort, or one whole batch (journal lines sharing a ``batch`` id:
accept-all, a group filed with one key), so one ``u`` takes back what one key did.

Journal lines are input: a sort line whose name or folder breaks the library's rules (say
``"dst": "../../outside"``) is never acted on. Folders are opened relative to the root without
following links, so a category replaced by a link to elsewhere is "no longer there", not
followed. A sort whose video moved on is dropped from the history; one blocked because its
name is taken in the root can be skipped on request, so older sorts stay undoable.
A function above ``Library`` (which knows nothing of undo), called alike by the TUI (`u`) and
``POST /api/undo``.
"""

from __future__ import annotations

import contextlib
import logging
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field

from vidsort_tui.core import dirfd
from vidsort_tui.core.compaction import compact_if_due
from vidsort_tui.core.errors import (
    AlreadyExists,
    JournalUnavailable,
    LibraryError,
    NothingToUndo,
    UndoRefused,
)
from vidsort_tui.core.journal import ROOT, JournalEntry, settled_ids
from vidsort_tui.core.library import Library
from vidsort_tui.core.moves import file_lock

log = logging.getLogger(__name__)

SKIP_HINT = "undo with skip_blocked to drop it from the history and undo older sorts"


@dataclass
class UndoOutcome:
    undone: list[JournalEntry] = field(default_factory=list)
    #: sorts dropped from the history because their name is taken (skip_blocked)
    skipped: list[JournalEntry] = field(default_factory=list)
    #: how many steps (single sorts or whole batches) were undone
    steps: int = 0


class _Blocked(Exception):
    """The video's old place in the root is taken by another file."""


def pending_sorts(
    library: Library, entries: list[JournalEntry] | None = None
) -> list[JournalEntry]:
    """Journalled sorts that may still be undone, oldest first (of ``entries``: default the
    whole history)."""
    names = library.names
    if entries is None:
        entries = library.journal.entries()
    undone = settled_ids(entries)
    pending, bad = [], 0
    for entry in entries:
        if entry.op != "sort" or entry.id in undone:
            continue
        if (
            entry.src == ROOT
            and names.is_valid(entry.filename)
            and (names.is_valid_folder_name(entry.dst))
        ):
            pending.append(entry)
        else:
            bad += 1
    if bad:
        log.warning("%s: ignored %d sort line(s) naming files or folders outside the rules",
                    library.journal.path, bad)  # fmt: skip
    return pending


def newest_steps(library: Library) -> Iterator[list[JournalEntry]]:
    """Undo steps, newest first: from moves.jsonl, then -- only if more are wanted -- from
    the snapshot of older sorts (compaction.py). So an undo reads recent history only.

    OSError when moves.jsonl cannot be read; the snapshot's failure is the caller's to
    report when it needs older steps.
    """
    recent = library.journal.read_recent()
    yield from undo_steps(pending_sorts(library, recent))
    known, settled = {e.id for e in recent}, settled_ids(recent)
    older = [e for e in library.journal.read_snapshot() if e.id not in known | settled]
    yield from undo_steps(pending_sorts(library, older))


def undo_steps(pending: list[JournalEntry]) -> list[list[JournalEntry]]:
    """Pending sorts (oldest first) as undo steps, newest step first, each newest first.

    A step is a sort without a batch, or every pending sort of one batch (even if another
    process's sorts were journalled between them).
    """
    steps: list[list[JournalEntry]] = []
    batches: dict[str, list[JournalEntry]] = {}
    for entry in reversed(pending):
        if entry.batch is None:
            steps.append([entry])
        elif entry.batch in batches:
            batches[entry.batch].append(entry)
        else:
            batches[entry.batch] = [entry]
            steps.append(batches[entry.batch])
    return steps


def undo_sorts(library: Library, count: int = 1, skip_blocked: bool = False) -> UndoOutcome:
    """Undo the last ``count`` steps (a sort, or a whole batch), newest first.

    Refuses (UndoRefused) when a video has moved on or its old place is taken; a video
    that moved on is dropped from the history so older sorts stay undoable, and with
    ``skip_blocked`` a blocked one is dropped too and the next older sort undone instead.
    """
    outcome = UndoOutcome()
    with _journal_lock(library), library.open_root() as root_fd:
        compact_if_due(library.journal, locked=True)
        steps = newest_steps(library)
        step = _next_step(library, steps, outcome)
        if step is None:
            raise NothingToUndo("nothing to undo")
        while step is not None and outcome.steps < count:
            before = len(outcome.undone)
            for entry in step:
                _undo_or_skip(library, root_fd, entry, outcome, skip_blocked)
            if len(outcome.undone) > before:  # a step wholly skipped does not count
                outcome.steps += 1
            if outcome.steps < count:
                step = _next_step(library, steps, outcome)
    return outcome


def _next_step(
    library: Library, steps: Iterator[list[JournalEntry]], outcome: UndoOutcome
) -> list[JournalEntry] | None:
    """The next older step; None when there are no more (or, after some undone, when the
    older history cannot be read: what was undone stays undone)."""
    try:
        return next(steps, None)
    except OSError as exc:
        if outcome.undone or outcome.skipped:
            log.warning("%s: older undo steps cannot be read: %s", library.journal.path, exc)
            return None
        raise JournalUnavailable(
            f"cannot undo: the journal {library.journal.path} cannot be read "
            f"({exc.strerror or exc})"
        ) from None


def _undo_or_skip(
    library: Library, root_fd: int, entry: JournalEntry, outcome: UndoOutcome, skip_blocked: bool
) -> None:
    try:
        _undo_one(library, root_fd, entry, outcome)
    except _Blocked:
        if not skip_blocked:
            raise UndoRefused(
                f"cannot undo {entry.filename!r}: a file with that name is back in the "
                f"unsorted folder{_suffix(outcome)}; {SKIP_HINT}"
            ) from None
        _record(library, _forget(entry))
        outcome.skipped.append(entry)


@contextlib.contextmanager
def _journal_lock(library: Library) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(file_lock(library.journal.lock_path))
        except OSError as exc:
            raise JournalUnavailable(
                f"cannot undo: the journal in {library.journal.path.parent} cannot be written "
                f"({exc.strerror or exc}); nothing was undone"
            ) from None
        yield


def _record(library: Library, entry: JournalEntry) -> None:
    try:
        library.journal.append(entry)
    except OSError as exc:
        raise JournalUnavailable(
            f"cannot write the journal in {library.journal.path.parent} ({exc.strerror or exc})"
        ) from None


def _forget(entry: JournalEntry) -> JournalEntry:
    return JournalEntry.new("forget", entry.filename, entry.dst, "", entry.id)


def _moved_on(library: Library, entry: JournalEntry, outcome: UndoOutcome) -> UndoRefused:
    _record(library, _forget(entry))
    return UndoRefused(
        f"cannot undo {entry.filename!r}: it is no longer in {entry.dst!r}{_suffix(outcome)}"
    )


def _undo_one(library: Library, root_fd: int, entry: JournalEntry, outcome: UndoOutcome) -> None:
    try:
        folder_fd = dirfd.open_dir(entry.dst, root_fd)
    except OSError as exc:
        if exc.errno in dirfd.NOT_THERE:  # gone, or replaced by a link: never followed
            raise _moved_on(library, entry, outcome) from None
        raise UndoRefused(
            f"cannot undo {entry.filename!r}: folder {entry.dst!r} cannot be opened "
            f"({exc.strerror}){_suffix(outcome)}"
        ) from None
    with dirfd.opened(folder_fd):
        st = dirfd.lstat_at(entry.filename, folder_fd)
        if st is None or not stat.S_ISREG(st.st_mode):
            raise _moved_on(library, entry, outcome)
        fds = (root_fd, folder_fd, root_fd)
        try:
            library.move_at(fds, entry.filename, entry.dst, ROOT)
        except AlreadyExists:
            raise _Blocked from None
        except LibraryError as exc:
            raise UndoRefused(f"cannot undo: {exc}{_suffix(outcome)}") from None
        try:
            library.journal.append(
                JournalEntry.new("undo", entry.filename, entry.dst, entry.src, entry.id)
            )
        except OSError as exc:
            # Unrecorded, the undo would make the history lie: put the video back.
            try:
                library.move_at((root_fd, root_fd, folder_fd), entry.filename, ROOT, entry.dst)
                where = f"it was left in {entry.dst!r}"
            except LibraryError as back:
                where = f"it is back in the unsorted folder, still listed as sorted ({back})"
            raise JournalUnavailable(
                f"could not record the undo of {entry.filename!r} ({exc.strerror or exc}); "
                f"{where}{_suffix(outcome)}"
            ) from None
        outcome.undone.append(entry)


def _suffix(outcome: UndoOutcome) -> str:
    return f" ({len(outcome.undone)} undone before it)" if outcome.undone else ""
