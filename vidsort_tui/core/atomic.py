"""Atomic file writes (temp file in the same folder, fsync, os.replace, fsync the folder) and
safe reads of artifact files.

A reader (another worker, the TUI) sees either the old file or the new one, never half of
one, and a crash mid-write leaves the old file in place. Reads never block and never follow
a symlink: an artifact replaced by a FIFO, a device or a link is refused, not waited on.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any


def fsync_dir(path: Path) -> None:
    """Make a rename or new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def write_bytes_reserving(path: Path, data: bytes, reserve: int, in_place: bool = True) -> None:
    """write_bytes_atomic of ``data`` padded with spaces to ``reserve`` bytes (for JSON).

    On a full disk (and ``in_place``) the old file, padded the same way, is overwritten in
    place instead: no new blocks are needed, so the last word (say, why a retrain failed)
    still gets written.
    """
    if len(data) > reserve:
        raise ValueError(f"{len(data)} bytes do not fit the {reserve} reserved")
    padded = data.ljust(reserve)
    try:
        write_bytes_atomic(path, padded)
    except OSError as exc:
        if not in_place or exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            if size < reserve or os.pwrite(fd, padded.ljust(size), 0) != size:
                raise
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json_atomic(path: Path, value: Any) -> None:
    write_bytes_atomic(path, json.dumps(value, indent=1, sort_keys=False).encode("utf-8"))


#: Far above any artifact vidsort writes; a bigger file is refused rather than read into memory.
MAX_ARTIFACT_BYTES = 512 * 1024 * 1024


def read_regular(path: Path, limit: int = MAX_ARTIFACT_BYTES) -> bytes:
    """The bytes of a regular file; OSError for anything else (FIFO, device, symlink, too big).

    O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: a link is not the file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "is a symbolic link, not a file", str(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)
