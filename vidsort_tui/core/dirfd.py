"""Directory-descriptor operations: resolve a name once, then act on what was resolved.

Every lookup below DATA_DIR is relative to an open directory descriptor and never follows a
symlink (``O_NOFOLLOW``): a folder swapped for a link to somewhere else between a check and a
use cannot redirect a move, and a video is served from the descriptor that was checked, not
opened again by name.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
#: errnos meaning "there is no usable entry of that name here" (missing, a link, not a dir)
NOT_THERE = {errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENXIO, errno.ENODEV}
_RENAME_NOREPLACE = 1


def _load_renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()


def open_root(path: Path) -> int:
    """The library's root by its configured path (the user may point it through a link)."""
    return os.open(path, DIR_FLAGS)


def open_dir(name: str, dir_fd: int) -> int:
    """A real subdirectory ``name`` of ``dir_fd``; ELOOP if it is a symlink."""
    return os.open(name, DIR_FLAGS | os.O_NOFOLLOW, dir_fd=dir_fd)


@contextlib.contextmanager
def opened(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


def lstat_at(name: str, dir_fd: int) -> os.stat_result | None:
    """The entry itself (a link is not followed), or None when there is none."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in NOT_THERE:
            return None
        raise


def open_regular(name: str, dir_fd: int) -> tuple[int, os.stat_result] | None:
    """A regular file's descriptor and its stat, or None for a missing name, a link, a
    directory, a FIFO or a device (never blocks on a FIFO). PermissionError propagates."""
    try:
        fd = os.open(name, FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in NOT_THERE or exc.errno == errno.EISDIR:
            return None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return None
    return fd, st


def rename_noreplace(src_fd: int, name: str, dst_fd: int) -> bool:
    """Kernel-atomic no-replace rename between two open folders; False if unsupported here.

    FileExistsError if the target exists, FileNotFoundError if the source is gone.
    """
    if _renameat2 is None:
        return False
    encoded = os.fsencode(name)
    if _renameat2(src_fd, encoded, dst_fd, encoded, _RENAME_NOREPLACE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), name)


def link_at(src_fd: int, name: str, dst_fd: int) -> bool:
    """A second name for the file (linkat, never following a link); FileExistsError if the
    target exists; False where the filesystem has no hard links."""
    try:
        os.link(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            return False
        raise
    return True


def rename_at(src_fd: int, name: str, dst_fd: int) -> None:
    """Plain renameat (may replace): only under the move lock after a check."""
    os.rename(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


def unlink_at(name: str, dir_fd: int) -> None:
    os.unlink(name, dir_fd=dir_fd)
