"""The append-only journal of moves (ARTIFACTS_DIR/moves.jsonl) that makes sorts undoable.

Lines are input like any other file: each is validated (pydantic) on read, and a line that
does not fit -- wrong types, torn by a crash, edited by hand -- is skipped with a warning.
A line is written whole or not at all: a short write (full disk) is truncated back and
reported, so the caller can refuse the sort instead of leaving a half line behind.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import stat
import time
import uuid
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from vidsort_tui.core.atomic import read_regular

log = logging.getLogger(__name__)

ROOT = ""  # the folder name journal entries use for DATA_DIR itself

_Text = Annotated[StrictStr, Field(max_length=4096)]
#: what a journal line records; forget: a sort that can no longer be undone
Op = Literal["sort", "undo", "forget"]


class JournalEntry(BaseModel):
    """One line of moves.jsonl. ``src``/``dst`` are folder names, "" meaning the root."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    op: Op
    filename: _Text
    src: _Text
    dst: _Text
    at: Annotated[float, Field(allow_inf_nan=False)]
    undoes: Annotated[StrictStr, Field(max_length=64)] | None = None
    #: the batch a sort belongs to (accept-all, a group filed with one key): one undo step.
    #: Absent in journals written before batches existed.
    batch: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None

    @classmethod
    def new(
        cls,
        op: Op,
        filename: str,
        src: str,
        dst: str,
        undoes: str | None = None,
        batch: str | None = None,
    ) -> JournalEntry:
        return cls(
            id=uuid.uuid4().hex, op=op, filename=filename, src=src, dst=dst, at=time.time(),
            undoes=undoes, batch=batch,
        )  # fmt: skip

    @staticmethod
    def new_batch_id() -> str:
        return uuid.uuid4().hex

    def line(self) -> bytes:
        # No "batch": null on single sorts: their lines stay as they were before batches.
        exclude = {"batch"} if self.batch is None else set()
        return (self.model_dump_json(exclude=exclude) + "\n").encode("utf-8")


class CompactionMark(BaseModel):
    """The first line of a compacted moves.jsonl: which snapshot file it was written with
    (inode and size), so the next compaction knows whether the two still agree."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    compacted_at: Annotated[float, Field(allow_inf_nan=False)]
    snapshot_ino: Annotated[int, Field(ge=0)]
    snapshot_bytes: Annotated[int, Field(ge=0)]
    #: the journal's size right after compaction (it is compacted again once it doubles)
    journal_bytes: Annotated[int, Field(ge=0)]

    def line(self) -> bytes:
        return (self.model_dump_json() + "\n").encode("utf-8")


def read_mark(first_line: bytes) -> CompactionMark | None:
    if not first_line.startswith(b'{"compacted_at"'):
        return None
    try:
        return CompactionMark.model_validate_json(first_line)
    except ValidationError:
        return None


def settled_ids(entries: list[JournalEntry]) -> set[str]:
    """Sorts undone or forgotten by these lines."""
    return {e.undoes for e in entries if e.op in ("undo", "forget") and e.undoes is not None}


class Journal:
    """Append-only JSON lines; bad lines are skipped on read (with a warning).

    The history is two files: ``moves.jsonl``, the recent lines (what every writer appends
    to), and ``moves.snapshot.jsonl``, the sorts still undoable that compaction folded out of
    it (core/compaction.py). Readers take moves.jsonl first, then the snapshot, and count a
    sort found in both once: whatever a compaction cut short leaves them agreeing.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.snapshot_path = self.path.with_name(self.path.stem + ".snapshot.jsonl")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.warning: str | None = None

    def append(self, entry: JournalEntry) -> None:
        """Append one fsynced line, or raise OSError having left the file as it was."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = entry.line()
        while True:
            fd = open_for_append(self.path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if not is_current(fd, self.path):
                    continue  # compacted meanwhile: the name holds a new file now
                # A previous writer killed mid-line leaves no newline; start ours on a fresh line.
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line
                try:
                    written = os.write(fd, line)
                    if written != len(line):
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, size)  # no half line: the sort is refused as a whole
                    raise
                return
            finally:
                os.close(fd)

    def read_recent(self) -> list[JournalEntry]:
        """The valid lines of moves.jsonl, oldest first (OSError if it cannot be read)."""
        try:
            raw = read_regular(self.path)
        except FileNotFoundError:
            return []
        self.warning = None
        return self._parse(raw, self.path, skip_mark=True)

    def read_snapshot(self) -> list[JournalEntry]:
        """The sorts compaction folded away, oldest first (OSError if it cannot be read)."""
        try:
            raw = read_regular(self.snapshot_path)
        except FileNotFoundError:
            return []
        return [e for e in self._parse(raw, self.snapshot_path) if e.op == "sort"]

    def _parse(self, raw: bytes, path: Path, skip_mark: bool = False) -> list[JournalEntry]:
        lines = raw.splitlines()
        if skip_mark and lines and read_mark(lines[0]) is not None:
            lines[0] = b""
        out: list[JournalEntry] = []
        bad: list[int] = []
        for number, line in enumerate(lines, 1):
            if not line:
                continue
            try:
                out.append(JournalEntry.model_validate_json(line))
            except ValidationError:
                bad.append(number)
        if bad:
            warning = (
                f"{path}: skipped {len(bad)} line(s) that are not valid journal entries "
                f"(line {', '.join(map(str, bad[:5]))}{', …' if len(bad) > 5 else ''})"
            )
            self.warning = f"{self.warning}; {warning}" if self.warning else warning
            log.warning(warning)
        return out

    def entries(self) -> list[JournalEntry]:
        """The whole history, oldest first: the snapshot's sorts, then moves.jsonl (read
        first); a line in both counts once, where moves.jsonl has it."""
        recent = self.read_recent()
        known = {e.id for e in recent}
        return [e for e in self.read_snapshot() if e.id not in known] + recent

    def pending_sorts(self) -> list[JournalEntry]:
        """Sorts not yet undone (nor forgotten because the video moved on), oldest first."""
        entries = self.entries()
        undone = settled_ids(entries)
        return [e for e in entries if e.op == "sort" and e.id not in undone]


def open_for_append(path: Path) -> int:
    """moves.jsonl opened for appending: a regular file, never through a link."""
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


def is_current(fd: int, path: Path) -> bool:
    """Whether ``fd`` is still the file named ``path`` (compaction renames a new one there)."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_ino, named.st_dev) == (held.st_ino, held.st_dev)
