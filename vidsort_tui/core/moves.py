"""Moves that never overwrite, between two open folder descriptors.

Order of a sort: no-replace rename, fsync of both folders, then one journal line (fsynced,
see journal.py). A crash before the rename leaves the file where it was; a crash after it
leaves the file moved and at worst unjournalled (undo then refuses cleanly) -- never lost,
never doubled. Strategies, best first: ``renameat2(RENAME_NOREPLACE)``; hard link (fails if
the name exists) then unlink, with an intent file the next move completes after a crash;
where there are no hard links, check then rename under the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError

from vidsort_tui.core import dirfd
from vidsort_tui.core.atomic import fsync_dir, read_regular
from vidsort_tui.core.names import is_safe_component

#: Tests set this to "link" or "check" to force a fallback path.
FORCE_STRATEGY: str | None = os.environ.get("VIDSORT_FORCE_MOVE_STRATEGY") or None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive flock held for the block; released by the kernel if we die."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Intent(BaseModel):
    """A link+unlink move in progress: folder names ("" = root) and the file name."""

    src: str
    dst: str
    name: str

    def is_safe(self) -> bool:
        return is_safe_component(self.name) and all(
            f == "" or is_safe_component(f) for f in (self.src, self.dst)
        )


class Mover:
    """Moves inside one library root; the fallbacks are serialised by ``lock_path``."""

    def __init__(self, lock_path: Path, root: Path) -> None:
        self.lock_path, self.root = lock_path, root
        self.intent_path = lock_path.with_name(lock_path.name + ".intent")

    def move(self, src_fd: int, dst_fd: int, name: str, intent: Intent, root_fd: int) -> None:
        """Move regular file ``name`` from one open folder to another.

        FileExistsError if the target exists; FileNotFoundError if the source is gone or is
        no longer the regular file it was (another process won, or it was swapped).
        """
        before = _regular(name, src_fd)
        if FORCE_STRATEGY in {"link", "check"} or not dirfd.rename_noreplace(src_fd, name, dst_fd):
            with file_lock(self.lock_path):
                self._finish_interrupted(root_fd)
                before = _regular(name, src_fd)
                if not self._link_then_unlink(src_fd, dst_fd, name, intent, before):
                    # No hard links (e.g. vfat): check then rename, atomic among vidsort processes.
                    if dirfd.lstat_at(name, dst_fd) is not None:
                        raise FileExistsError(errno.EEXIST, "target exists", name)
                    dirfd.rename_at(src_fd, name, dst_fd)
        after = dirfd.lstat_at(name, dst_fd)
        if after is not None and not os.path.samestat(after, before):
            # Swapped for something else between the check and the rename: put it back.
            with contextlib.suppress(OSError):
                dirfd.rename_noreplace(dst_fd, name, src_fd)
            raise FileNotFoundError(errno.ENOENT, "the video was replaced while moving", name)
        os.fsync(dst_fd)
        if not os.path.samestat(os.fstat(src_fd), os.fstat(dst_fd)):
            os.fsync(src_fd)

    def _link_then_unlink(
        self, src_fd: int, dst_fd: int, name: str, intent: Intent, before: os.stat_result
    ) -> bool:
        if FORCE_STRATEGY == "check":
            return False
        self._write_intent(intent)
        try:
            if not dirfd.link_at(src_fd, name, dst_fd):
                return False
            linked = dirfd.lstat_at(name, dst_fd)
            if linked is None or not os.path.samestat(linked, before):
                dirfd.unlink_at(name, dst_fd)  # linked something swapped in: take it back
                raise FileNotFoundError(errno.ENOENT, "the video was replaced while moving", name)
            dirfd.unlink_at(name, src_fd)
        finally:
            self.intent_path.unlink()  # not reached if we are killed: the next move finishes ours
        return True

    def _write_intent(self, intent: Intent) -> None:
        """Written in place (no temp file to leave behind); a torn intent is harmless: it
        is written before the link, so a crash that tears it happened before any move."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.intent_path, flags, 0o644)
        try:
            data = intent.model_dump_json().encode()
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.intent_path))
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(self.intent_path.parent)

    def finish_interrupted(self, root_fd: int) -> None:
        """Complete a link+unlink move that a crash cut between its two steps."""
        prefix = f".{self.intent_path.name}."
        with contextlib.suppress(OSError):
            for name in os.listdir(self.lock_path.parent):
                if name.startswith(prefix) and name.endswith(".tmp"):
                    # left by versions that wrote the intent through a temporary file
                    (self.lock_path.parent / name).unlink()
        if not os.path.lexists(self.intent_path):
            return
        with file_lock(self.lock_path):
            self._finish_interrupted(root_fd)

    def _finish_interrupted(self, root_fd: int) -> None:
        """Under the lock. The intent is input: only safe names relative to the root are
        used, and the source name is removed only if both names are the same file."""
        try:
            raw = read_regular(self.intent_path, 64 * 1024)
        except FileNotFoundError:
            return
        except OSError:
            raw = b""
        try:
            intent: Intent | None = Intent.model_validate_json(raw)
        except ValidationError:
            intent = _legacy_intent(raw, self.root)
        if intent is not None and intent.is_safe():
            with contextlib.suppress(OSError):
                _unlink_duplicate(root_fd, intent)
        with contextlib.suppress(FileNotFoundError):
            self.intent_path.unlink()


def _legacy_intent(raw: bytes, root: Path) -> Intent | None:
    """An intent written by earlier versions: ``[src_path, dst_path]`` under the root."""
    try:
        paths = [Path(p) for p in json.loads(raw)]
        (src, dst) = paths
    except (ValueError, TypeError):
        return None
    folders = []
    for path in (src, dst):
        if path.parent == root:
            folders.append("")
        elif path.parent.parent == root:
            folders.append(path.parent.name)
        else:
            return None
    return Intent(src=folders[0], dst=folders[1], name=src.name) if src.name == dst.name else None


def _unlink_duplicate(root_fd: int, intent: Intent) -> None:
    with contextlib.ExitStack() as stack:
        fds = [
            root_fd if f == "" else stack.enter_context(dirfd.opened(dirfd.open_dir(f, root_fd)))
            for f in (intent.src, intent.dst)
        ]
        src, dst = (dirfd.lstat_at(intent.name, fd) for fd in fds)
        if src and dst and stat.S_ISREG(src.st_mode) and os.path.samestat(src, dst):
            dirfd.unlink_at(intent.name, fds[0])
            os.fsync(fds[0])


def _regular(name: str, dir_fd: int) -> os.stat_result:
    st = dirfd.lstat_at(name, dir_fd)
    if st is None:
        raise FileNotFoundError(errno.ENOENT, "no such file", name)
    if not stat.S_ISREG(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "not a regular file", name)
    return st
