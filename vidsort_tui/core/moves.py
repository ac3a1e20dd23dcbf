"""Moves that never overwrite, and the append-only journal that makes them undoable.

Order of a sort: no-replace rename, fsync of both folders, then one journal line (fsynced).
A crash before the rename leaves the file where it was; a crash after it leaves the file
moved and at worst unjournalled (undo then refuses cleanly) -- never lost, never doubled.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from vidsort_tui.core.atomic import fsync_dir, write_bytes_atomic

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1


def _load_renameat2():  # type: ignore[no-untyped-def]
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()
#: Tests set this to "link" or "check" to force a fallback path.
FORCE_STRATEGY: str | None = os.environ.get("VIDSORT_FORCE_MOVE_STRATEGY") or None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive flock held for the block; released by the kernel if we die."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _rename_noreplace(src: Path, dst: Path) -> bool:
    """Kernel-atomic no-replace rename. False if this filesystem cannot do it."""
    if _renameat2 is None or FORCE_STRATEGY in {"link", "check"}:
        return False
    rc = _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dst))


def _link_then_unlink(src: Path, dst: Path) -> bool:
    """Hard link (fails if dst exists) then unlink. False if links are unsupported."""
    if FORCE_STRATEGY == "check":
        return False
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            return False
        raise
    os.unlink(src)
    return True


def move_no_replace(src: Path, dst: Path, lock_path: Path) -> None:
    """Move ``src`` to ``dst`` on one filesystem; FileExistsError if ``dst`` exists.

    FileNotFoundError if ``src`` is gone (another process won). The fallbacks run under
    ``lock_path`` so two vidsort processes can never both "win" the same file.
    """
    if not _rename_noreplace(src, dst):
        with file_lock(lock_path):
            finish_interrupted_move(lock_path, locked=True)
            if not os.path.lexists(src):
                raise FileNotFoundError(errno.ENOENT, "no such file", str(src))
            intent = _intent_path(lock_path)
            write_bytes_atomic(intent, json.dumps([str(src), str(dst)]).encode())
            try:
                linked = _link_then_unlink(src, dst)
            finally:
                intent.unlink()  # not reached if we are killed: the next move finishes ours
            if not linked:
                # No hard links (e.g. vfat): check then rename, atomic among vidsort processes.
                if os.path.lexists(dst):
                    raise FileExistsError(errno.EEXIST, "target exists", str(dst))
                os.rename(src, dst)
    fsync_dir(dst.parent)
    if src.parent != dst.parent:
        fsync_dir(src.parent)


def _intent_path(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + ".intent")


def finish_interrupted_move(lock_path: Path, locked: bool = False) -> None:
    """Complete a link+unlink move that a crash cut between its two steps.

    The intent file names the move; if both names still point at the same file, the
    source name is removed, so no video is ever left filed twice.
    """
    intent = _intent_path(lock_path)
    if not intent.exists():
        return
    with contextlib.nullcontext() if locked else file_lock(lock_path):
        try:
            src, dst = json.loads(intent.read_bytes())
        except (OSError, ValueError):
            src = dst = None
        both = bool(src and dst and os.path.lexists(src) and os.path.lexists(dst))
        if both and os.path.samestat(os.lstat(src), os.lstat(dst)):
            os.unlink(src)
            fsync_dir(Path(src).parent)
        with contextlib.suppress(FileNotFoundError):
            intent.unlink()


@dataclass(frozen=True)
class JournalEntry:
    """One line of moves.jsonl. ``src``/``dst`` are folder names, "" meaning the root."""

    id: str
    op: str  # "sort", "undo", or "forget" (a sort whose video moved on; no longer undoable)
    filename: str
    src: str
    dst: str
    at: float
    undoes: str | None = None

    @classmethod
    def new(
        cls, op: str, filename: str, src: str, dst: str, undoes: str | None = None
    ) -> JournalEntry:
        return cls(uuid.uuid4().hex, op, filename, src, dst, time.time(), undoes)


class Journal:
    """Append-only JSON-lines file; torn last lines from a crash are ignored on read."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def append(self, entry: JournalEntry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A previous writer killed mid-line leaves no newline; start ours on a fresh line.
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[JournalEntry]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        out: list[JournalEntry] = []
        for line in raw.splitlines():
            try:
                out.append(JournalEntry(**json.loads(line)))
            except (ValueError, TypeError):
                continue
        return out

    def pending_sorts(self) -> list[JournalEntry]:
        """Sorts not yet undone (nor forgotten because the video moved on), oldest first."""
        entries = self.entries()
        undone = {e.undoes for e in entries if e.op in ("undo", "forget")}
        return [e for e in entries if e.op == "sort" and e.id not in undone]
