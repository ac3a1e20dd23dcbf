"""Journal compaction: keeps moves.jsonl short so undo reads only recent history.

Every sort and undo appends to moves.jsonl, so it only grows; undo read and validated all
of it under the lock (1.5-2.2 s at 300,000 lines, and past the 512 MB read cap undo would
stop working). When moves.jsonl has grown past ``COMPACT_AT_BYTES`` (and doubled since the
last compaction), everything but its last ``KEEP_LINES`` lines is folded away:

- a sort still undoable moves to ``moves.snapshot.jsonl`` (oldest first). Nothing undo can
  reach today is dropped: ``POST /api/undo`` goes back 100 steps a call and may be called
  again, ``skip_blocked`` passes over blocked ones, so every pending sort stays undoable;
- a sort with its undo (or forget) line -- settled -- is dropped with it, as are lines that
  are not journal entries;
- a batch with a sort in the kept part keeps all its sorts there (one undo step is never
  split; at most ``BATCH_KEEP_LINES`` lines are kept for it).

Crash safety, under the journal lock (undo's) and moves.jsonl's own flock (what appenders
take), so no line is written meanwhile: (1) the snapshot grows -- appended in place and
fsynced, or rewritten to a scratch file and renamed -- then (2) the new moves.jsonl, a mark
line naming the snapshot's inode and size followed by the kept lines verbatim, is written
to a scratch file, fsynced and renamed over the old one. A kill before (2) leaves the old
moves.jsonl, whose sorts the snapshot may now hold too: readers count a sort found in both
once (journal.py), and the next compaction sees that the mark does not match the snapshot
and rebuilds the snapshot without the lines moves.jsonl still has. A kill after (2) leaves
the compacted pair. Appenders that opened the old file find it replaced and append to the
new one.

What changes for the learning loop: a sort that was undone and then folded away no longer
counts toward the next refit (it is gone from the history); sorts that stand are counted
from moves.jsonl and then the snapshot (learning.py).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from vidsort_tui.core.atomic import fsync_dir, read_regular
from vidsort_tui.core.journal import (
    CompactionMark,
    Journal,
    JournalEntry,
    is_current,
    open_for_append,
    read_mark,
)

log = logging.getLogger(__name__)

#: moves.jsonl is compacted once it is bigger than this (about 700 lines)...
COMPACT_AT_BYTES = 128 * 1024
#: ... and twice its size right after the last compaction
GROWTH = 2
#: the newest lines kept in moves.jsonl as they are (recent undos, the learning loop's count)
KEEP_LINES = 200
#: at most this many more lines are kept so that a batch stays whole in moves.jsonl
BATCH_KEEP_LINES = 50_000
#: a journal this big is still compacted (read whole, once); bigger is left alone
MAX_COMPACT_BYTES = 4 << 30
_SCRATCH = ".compacting"


@dataclass(slots=True)
class _Line:
    """One line of moves.jsonl and what compaction needs of it (not the whole entry: an
    old journal of 300,000 lines is held at once)."""

    raw: bytes
    valid: bool  # False: not a journal entry (torn, hand-edited)
    id: str = ""
    op: str = ""
    undoes: str | None = None
    batch: str | None = None

    @property
    def is_sort(self) -> bool:
        return self.valid and self.op == "sort"

    @property
    def settles(self) -> str | None:
        return self.undoes if self.valid and self.op in ("undo", "forget") else None


def _settled(lines: list[_Line]) -> set[str]:
    return {x.settles for x in lines if x.settles is not None}


def compact_if_due(journal: Journal, locked: bool = False) -> bool:
    """Compact when moves.jsonl has grown enough; True if it was compacted.

    ``locked``: the caller holds the journal lock (undo). Otherwise the lock is only tried:
    a sort never waits for an undo to compact. Failures are logged, never raised -- the
    sort or undo that asked has already happened, and the journal is left as it was.
    """
    try:
        if not _due(journal):
            return False
        if locked:
            return compact(journal)
        with _try_lock(journal.lock_path) as got:
            return compact(journal) if got else False
    except OSError as exc:
        log.warning("%s: not compacted: %s", journal.path, exc.strerror or exc)
        return False


def _due(journal: Journal) -> bool:
    try:
        st = os.stat(journal.path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size <= COMPACT_AT_BYTES:
        return False
    fd = os.open(journal.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:  # the mark is the first line, when there is one
        mark = read_mark(os.pread(fd, 4096, 0).split(b"\n", 1)[0])
    finally:
        os.close(fd)
    return mark is None or st.st_size > GROWTH * mark.journal_bytes


@contextlib.contextmanager
def _try_lock(path: Path) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def compact(journal: Journal) -> bool:
    """Fold all but the recent lines of moves.jsonl away (the caller holds the journal
    lock); True if anything was folded. OSError leaves both files as they were.

    The lines are read and validated before moves.jsonl's flock is taken (only sorts can be
    appended meanwhile: undo holds the journal lock), so sorts in other processes wait only
    for the lines appended since and the writes, not for reading a long history.
    """
    while True:
        fd = open_for_append(journal.path)
        try:
            read = _read_from(fd, 0)
            whole = read[: read.rfind(b"\n") + 1]  # a line being appended is read again
            lines = whole.splitlines()
            mark = read_mark(lines[0]) if lines else None
            body = [_parse(line) for line in lines[1 if mark else 0 :] if line]
            fcntl.flock(fd, fcntl.LOCK_EX)  # appenders wait; they re-open after the rename
            if not is_current(fd, journal.path):
                continue
            body += [_parse(line) for line in _read_from(fd, len(whole)).splitlines() if line]
            return _fold(journal, mark, body)
        finally:
            os.close(fd)


def _fold(journal: Journal, mark: CompactionMark | None, body: list[_Line]) -> bool:
    cut = _cut(body)
    if cut == 0:
        return False
    settled = _settled(body)
    in_journal = {x.id for x in body if x.is_sort}
    folded: dict[str, bytes] = {}
    for line in body[:cut]:
        if line.is_sort and line.id not in settled and line.id not in folded:
            folded[line.id] = line.raw
    reaches_snapshot = bool(_settled(body[:cut]) - in_journal)  # undos of sorts folded before
    written_with = (mark.snapshot_ino, mark.snapshot_bytes) if mark else (0, 0)
    agrees = _stat(journal.snapshot_path) == (written_with if written_with[1] else (0, 0))
    if agrees and not reaches_snapshot:
        _append_snapshot(journal.snapshot_path, list(folded.values()))
    else:  # a compaction cut short, or undos of folded sorts: rebuild without moves.jsonl's
        _rewrite_snapshot(journal, in_journal | settled, list(folded.values()))
    ino, size = _stat(journal.snapshot_path)
    kept = b"".join(line.raw + b"\n" for line in body[cut:])
    new_mark = CompactionMark(compacted_at=time.time(), snapshot_ino=ino, snapshot_bytes=size,
                              journal_bytes=len(kept))  # fmt: skip
    _replace(journal.path, new_mark.line() + kept)
    dropped = sum(1 for line in body[:cut] if not line.valid)
    log.info("%s: compacted: %d sorts folded into %s, %d lines kept%s", journal.path,
             len(folded), journal.snapshot_path.name, len(body) - cut,
             f", {dropped} bad lines dropped" if dropped else "")  # fmt: skip
    return True


def _read_from(fd: int, offset: int) -> bytes:
    size = os.fstat(fd).st_size
    if size > MAX_COMPACT_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_COMPACT_BYTES} bytes")
    chunks = []
    while chunk := os.pread(fd, 1 << 24, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> _Line:
    try:
        e = JournalEntry.model_validate_json(raw)
    except ValidationError:
        return _Line(raw, False)
    return _Line(raw, True, e.id, e.op, e.undoes, e.batch)


def _cut(body: list[_Line]) -> int:
    """How many of the oldest lines to fold: all but KEEP_LINES, fewer so that a batch with
    an undoable sort in the kept lines keeps all of them (up to BATCH_KEEP_LINES more)."""
    cut = len(body) - KEEP_LINES
    if cut <= 0:
        return 0
    settled = _settled(body)
    first: dict[str, int] = {}
    kept_batches: set[str] = set()
    for i, line in enumerate(body):
        if not line.is_sort or line.batch is None or line.id in settled:
            continue
        first.setdefault(line.batch, i)
        if i >= cut:
            kept_batches.add(line.batch)
    earliest = min((first[b] for b in kept_batches), default=cut)
    return max(0, min(cut, max(earliest, cut - BATCH_KEEP_LINES)))


def _stat(path: Path) -> tuple[int, int]:
    """(inode, size) of the snapshot; (0, 0) when it is missing or empty."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return (0, 0)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return (st.st_ino, st.st_size) if st.st_size else (0, 0)


def _append_snapshot(path: Path, lines: list[bytes]) -> None:
    if not lines:
        return
    fd = open_for_append(path)
    try:
        size = os.fstat(fd).st_size
        data = b"".join(line + b"\n" for line in lines)
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, size)  # as it was: moves.jsonl is not replaced either
            raise
    finally:
        os.close(fd)
    fsync_dir(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _rewrite_snapshot(journal: Journal, in_journal: set[str], lines: list[bytes]) -> None:
    """The snapshot without the sorts moves.jsonl holds or settles, then ``lines``."""
    try:
        raw = read_regular(journal.snapshot_path, MAX_COMPACT_BYTES)
    except FileNotFoundError:
        raw = b""
    seen: set[str] = set()
    out: list[bytes] = []
    for line in raw.splitlines():
        parsed = _parse(line)
        if not parsed.is_sort or parsed.id in in_journal or parsed.id in seen:
            continue
        seen.add(parsed.id)
        out.append(line + b"\n")
    out += [line + b"\n" for line in lines]
    _replace(journal.snapshot_path, b"".join(out))


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to a scratch file beside ``path``, fsync, rename over it, fsync the
    folder. The scratch name is fixed and only used under the journal lock, so a kill
    leaves at most one behind, removed by the next compaction."""
    scratch = path.with_name(path.name + _SCRATCH)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(scratch)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(scratch, flags, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(scratch, path)
    fsync_dir(path.parent)
