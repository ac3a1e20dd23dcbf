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


class Journal:
    """Append-only JSON lines; bad lines are skipped on read (with a warning)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.warning: str | None = None

    def append(self, entry: JournalEntry) -> None:
        """Append one fsynced line, or raise OSError having left the file as it was."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = entry.line()
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.path, flags, 0o644)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(self.path))
            fcntl.flock(fd, fcntl.LOCK_EX)
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
        finally:
            os.close(fd)

    def entries(self) -> list[JournalEntry]:
        """Every valid line, oldest first (OSError if the journal cannot be read)."""
        try:
            raw = read_regular(self.path)
        except FileNotFoundError:
            return []
        out: list[JournalEntry] = []
        bad: list[int] = []
        for number, line in enumerate(raw.splitlines(), 1):
            try:
                out.append(JournalEntry.model_validate_json(line))
            except ValidationError:
                bad.append(number)
        self.warning = None
        if bad:
            self.warning = (
                f"{self.path}: skipped {len(bad)} line(s) that are not valid journal entries "
                f"(line {', '.join(map(str, bad[:5]))}{', …' if len(bad) > 5 else ''})"
            )
            log.warning(self.warning)
        return out

    def pending_sorts(self) -> list[JournalEntry]:
        """Sorts not yet undone (nor forgotten because the video moved on), oldest first."""
        entries = self.entries()
        undone = {e.undoes for e in entries if e.op in ("undo", "forget")}
        return [e for e in entries if e.op == "sort" and e.id not in undone]
