"""The one-job-at-a-time lock: ``retrain.lock`` (fcntl.flock), held for a whole retrain or
refit, by whichever process runs it. The kernel drops it when the holder dies, so a
SIGKILLed job never leaves a stale lock; a reader asks without creating the file.

The status file (job_status.py) reads the lock to tell a dead run from a live one; starting
jobs (jobs.py) takes it and hands it to the child.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from vidsort_tui.core import artifacts as names
from vidsort_tui.core.errors import RetrainUnavailable

#: the variable naming the locked fd a job child inherits from the process that started it
LOCK_FD_ENV = "VIDSORT_RETRAIN_LOCK_FD"


class RetrainBusy(Exception):
    """Another retrain holds the lock."""


def _lock_path(artifacts_dir: Path) -> Path:
    return Path(artifacts_dir) / names.RETRAIN_LOCK


def open_regular(path: Path, flags: int) -> int:
    """``os.open`` that never waits on a FIFO nor follows a link, and refuses anything but a
    regular file (OSError saying so)."""
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:  # a link, a directory, a FIFO without a reader (for writing)
        if exc.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise
        fd = -1
    if fd < 0 or not stat.S_ISREG(os.fstat(fd).st_mode):
        if fd >= 0:
            os.close(fd)
        raise OSError(errno.EINVAL, f"{path.name} is not a regular file", str(path))
    return fd


def try_lock(artifacts_dir: Path) -> int | None:
    """An fd holding the retrain lock, or None if another process holds it (OSError if the
    artifacts folder cannot be written, or the lock is not a regular file)."""
    Path(artifacts_dir).mkdir(parents=True, exist_ok=True)
    fd = open_regular(_lock_path(artifacts_dir), os.O_RDWR | os.O_CREAT)
    if fd <= 2:  # stdio was closed: a child's stdin/stdout/stderr would overwrite the lock fd
        low, fd = fd, fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
        os.close(low)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_locked(artifacts_dir: Path) -> bool:
    """Whether a retrain holds the lock; read-only (a reader never creates the lock file)."""
    try:
        fd = open_regular(_lock_path(artifacts_dir), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# ----- holding the lock ---------------------------------------------------------------
@contextlib.contextmanager
def holding_lock(artifacts_dir: Path) -> Iterator[None]:
    inherited = os.environ.pop(LOCK_FD_ENV, None)
    try:
        fd = int(inherited) if inherited else try_lock(artifacts_dir)
    except OSError as exc:
        raise RetrainUnavailable(cannot_start(artifacts_dir, exc)) from None
    if fd is None:
        raise RetrainBusy("a retrain is already running")
    os.set_inheritable(fd, False)  # decoder workers must not keep the lock alive
    try:
        yield
    finally:
        os.close(fd)


def cannot_start(artifacts: Path, exc: OSError) -> str:
    why = exc.strerror or exc
    return f"cannot start a retrain: cannot write to the artifacts folder {artifacts} ({why})"
