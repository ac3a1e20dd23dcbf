"""One pipeline job at a time across processes: the lock, the shared status, background runs.

``retrain.lock`` (fcntl.flock) is held for the whole job; the kernel drops it when the holder
dies, so a SIGKILLed retrain never leaves a stale lock. ``retrain_status.json`` carries the
documented ``running``/``last_result`` plus progress; a status that says "running" while
nobody holds the lock is a dead run and is reported as failed.

This module never imports the pipeline: the TUI and every API worker use it to start jobs
and read their status, and stay small and quick to start. The jobs themselves run in
``vidsort_tui.services.retrain`` (a separate process when started from here).
See ARCHITECTURE.md ("Layers", "A retrain").
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import math
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, TypedDict

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

from vidsort_tui.core import artifacts as names
from vidsort_tui.core.atomic import read_regular, write_bytes_reserving
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import RetrainUnavailable
from vidsort_tui.core.names import MIN_EXAMPLES

log = logging.getLogger(__name__)

STAGE_SECONDS = 900.0
#: The retrain's stages as the documented status names them ("Failed at train.py: ...").
STAGES = ("extract_features.py", "train.py", "predict.py")
#: What a person reads for each stage: the TUI, --retrain and the page (via the API) say this.
STAGE_LABELS = {
    "extract_features.py": "extracting features",
    "train.py": "training",
    "predict.py": "predicting",
    "refit": "refitting after sorts",
}
#: what the status says while a refit holds the lock (a refit never writes the status file)
REFIT_STAGE = "refit"
#: A job child ends itself after this long without progress, whatever it is stuck on (the
#: kernel then drops the lock, and the status reads as failed): each retrain stage has
#: STAGE_SECONDS. Progress restarts the count, so a first retrain of a big library, which
#: takes hours, is never cut short.
RETRAIN_CHILD_SECONDS = len(STAGES) * STAGE_SECONDS + 300
REFIT_CHILD_SECONDS = 900
LOCK_FD_ENV = "VIDSORT_RETRAIN_LOCK_FD"
RUNNER_MODULE = "vidsort_tui.services.retrain"


class RetrainBusy(Exception):
    """Another retrain holds the lock."""


@dataclass(frozen=True)
class ProgressEvent:
    stage: str  # one of STAGES
    done: int
    total: int

    @property
    def label(self) -> str:
        return stage_label(self.stage)


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS.get(stage or "", stage or "")


class StatusBody(TypedDict):
    """GET /api/retrain/status, as documented."""

    running: bool
    last_result: str | None


def progress_text(stage: str | None, done: int, total: int) -> str:
    """A running job's stage in words, with counts where there are some to count:
    "extracting features 12/90", "training", "predicting" (the TUI's live status)."""
    label = stage_label(stage) or "starting"
    if stage == STAGES[0] and total > 0:
        return f"{label} {done}/{total}"
    return f"{label}…"


@with_config(ConfigDict(strict=True, allow_inf_nan=False))  # how the file is validated
@dataclass
class RetrainStatus:
    running: bool = False
    last_result: str | None = None
    stage: str | None = None
    done: int = 0
    total: int = 0
    message: str | None = None
    pid: int | None = None
    started_at: float | None = None
    finished_at: float | None = None

    def to_api(self) -> StatusBody:
        """The documented body of GET /api/retrain/status."""
        return {"running": self.running, "last_result": self.last_result}


def _lock_path(artifacts_dir: Path) -> Path:
    return Path(artifacts_dir) / names.RETRAIN_LOCK


def _open_regular(path: Path, flags: int) -> int:
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
    fd = _open_regular(_lock_path(artifacts_dir), os.O_RDWR | os.O_CREAT)
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
        fd = _open_regular(_lock_path(artifacts_dir), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


_STATUS = TypeAdapter(RetrainStatus)
#: Status files are padded to this size, so a final status can always be written in place
#: when the disk is full (a retrain then still says why it failed).
STATUS_RESERVE = 8192


def read_status(artifacts_dir: Path) -> RetrainStatus:
    """The shared status; a "running" status whose process died reads as failed.

    The file is validated; one that is not a status (wrong types, a FIFO, a link) is
    ignored with a warning, and whether a retrain runs is then told by the lock alone.
    """
    path = Path(artifacts_dir) / names.RETRAIN_STATUS
    try:
        status = _STATUS.validate_json(read_regular(path, 1 << 20))
    except FileNotFoundError:
        status = RetrainStatus()
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s, which is not a retrain status: %s", path, str(exc)[:200])
        status = RetrainStatus(running=is_locked(artifacts_dir))
        if status.running:
            return status
    locked = is_locked(artifacts_dir)
    if status.running and not locked:
        stage = status.stage or STAGES[0]
        status.running = False
        status.last_result = f"Failed at {stage}: the retrain process stopped unexpectedly"
    elif locked and not status.running:  # a refit (which leaves the file alone) holds it:
        status.running, status.stage = True, REFIT_STAGE  # a retrain would be refused now
        status.done = status.total = 0
    return status


def _status_bytes(status: RetrainStatus) -> bytes:
    fields = asdict(status)
    for key, limit in (("last_result", 1000), ("message", 500)):  # always fits the reserve
        if isinstance(fields[key], str):
            fields[key] = fields[key][:limit]
    return json.dumps(fields, ensure_ascii=False).encode()


def write_status_or_raise(
    artifacts_dir: Path, status: RetrainStatus, in_place: bool = True
) -> None:
    path = Path(artifacts_dir) / names.RETRAIN_STATUS
    write_bytes_reserving(path, _status_bytes(status), STATUS_RESERVE, in_place)


def write_status(artifacts_dir: Path, status: RetrainStatus) -> None:
    """Best effort: a full disk must not turn a retrain's failure into a crash."""
    try:
        write_status_or_raise(artifacts_dir, status)
    except OSError as exc:
        log.warning("cannot write the retrain status: %s", exc)


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


def first_model_due(settings: Settings, folder_counts: Iterable[int]) -> bool:
    """Whether to train a first model now, unasked: ``auto_train`` is on, there is neither
    a model nor predictions (every row would show none) and no job running, and at least
    two folders have enough videos to learn from."""
    artifacts = Path(settings.artifacts_dir)
    learnable = sum(1 for count in folder_counts if count >= MIN_EXAMPLES)
    return (
        settings.model.auto_train
        and learnable >= 2
        and not (artifacts / names.MODEL).exists()
        and not (artifacts / names.PREDICTIONS).exists()
        and not read_status(artifacts).running
    )


def cannot_start(artifacts: Path, exc: OSError) -> str:
    why = exc.strerror or exc
    return f"cannot start a retrain: cannot write to the artifacts folder {artifacts} ({why})"


def start_background(settings: Settings) -> Literal["started", "already_running"]:
    """Start a retrain in its own process: "started", or "already_running".

    RetrainUnavailable (with the reason, also left in last_result when it can be written)
    when it cannot start: the artifacts folder is read-only or full.
    """
    artifacts = Path(settings.artifacts_dir)
    try:
        fd = try_lock(artifacts)
    except OSError as exc:
        raise RetrainUnavailable(cannot_start(artifacts, exc)) from None
    if fd is None:
        return "already_running"
    try:
        previous = read_status(artifacts).last_result
        try:
            # Atomically or not at all: a disk too full for this is too full for a retrain.
            running = RetrainStatus(True, previous, STAGES[0], started_at=time.time())
            write_status_or_raise(artifacts, running, in_place=False)
            env = {**os.environ, **settings.to_env(), LOCK_FD_ENV: str(fd)}
            log_fd = _open_regular(artifacts / names.RETRAIN_LOG, os.O_WRONLY | os.O_APPEND
                                   | os.O_CREAT)  # fmt: skip
            with os.fdopen(log_fd, "ab") as log:
                subprocess.Popen(
                    [sys.executable, "-m", RUNNER_MODULE],
                    env=env, pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True, close_fds=True,
                )  # fmt: skip
        except OSError as exc:
            reason = cannot_start(artifacts, exc)
            failed = f"Failed at start: {reason.removeprefix('cannot start a retrain: ')}"
            write_status(artifacts, RetrainStatus(False, failed, finished_at=time.time()))
            raise RetrainUnavailable(reason) from None
    finally:
        os.close(fd)  # the child holds its own copy of the locked file description
    return "started"


def start_refit(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Refit on cached features in a child process holding the lock; None when a job runs.

    The child prints one JSON line: {"videos": n, "predicted": n, "seconds": s}, or null
    when there was nothing to refit. It leaves the retrain status alone: a refit is not a
    retrain, and ``last_result`` keeps meaning the last full one.
    """
    artifacts = Path(settings.artifacts_dir)
    try:
        fd = try_lock(artifacts)
    except OSError:
        return None  # read-only artifacts: nothing could be refitted or saved
    if fd is None:
        return None
    try:
        env = {**os.environ, **settings.to_env(), LOCK_FD_ENV: str(fd)}
        with open(os.devnull, "wb") as devnull:
            return subprocess.Popen(
                [sys.executable, "-m", RUNNER_MODULE, "--refit"],
                env=env, pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=devnull, start_new_session=True, close_fds=True,
            )  # fmt: skip
    except OSError as exc:
        log.warning("cannot start a refit: %s", exc)
        return None
    finally:
        os.close(fd)  # the child holds its own copy of the locked file description


_time_limit = [0]  # a job child's limit in seconds (0: this process has none)


def end_after(seconds: float) -> None:
    """For a job child: the kernel ends this process after ``seconds`` (without progress:
    ``still_working``), wherever it is stuck (SIGALRM left at its default action: no Python
    handler that a blocked C call would never let run). The lock then drops with it, so a
    stuck job cannot keep every later retrain "already running"."""
    _time_limit[0] = max(1, math.ceil(seconds))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(_time_limit[0])


def still_working() -> None:
    """Progress was made: a job child's time limit starts again (nothing otherwise)."""
    if _time_limit[0]:
        signal.alarm(_time_limit[0])


def refit_outcome(output: bytes) -> dict[str, float] | None:
    """What a refit child printed (its last line), or None."""
    try:
        value = json.loads(output.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    if isinstance(value, dict) and all(isinstance(v, int | float) for v in value.values()):
        return value
    return None
