"""One retrain at a time across processes, with its status in a file every process reads.

``retrain.lock`` (fcntl.flock) is held for the whole run; the kernel drops it when the holder
dies, so a SIGKILLed retrain never leaves a stale lock. ``retrain_status.json`` carries the
documented ``running``/``last_result`` plus progress; a status that says "running" while
nobody holds the lock is a dead run and is reported as failed. The model and predictions are
replaced atomically only when their stage finishes: a killed run leaves the last good ones.
Background runs are separate processes so no API worker or TUI ever blocks on them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

from pipeline import extract_features, predict, train
from pipeline import refit as fast
from pipeline.stage import StageError, StageTimeout
from vidsort_tui.core.atomic import read_regular, write_bytes_reserving
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import RetrainUnavailable

log = logging.getLogger(__name__)

STATUS_FILE = "retrain_status.json"
LOCK_FILE = "retrain.lock"
LOG_FILE = "retrain.log"
STAGE_SECONDS = 900.0
STAGES = ("extract_features.py", "train.py", "predict.py")
_LOCK_FD_ENV = "VIDSORT_RETRAIN_LOCK_FD"


class RetrainBusy(Exception):
    """Another retrain holds the lock."""


@dataclass(frozen=True)
class ProgressEvent:
    stage: str  # one of STAGES
    done: int
    total: int


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

    def to_api(self) -> dict[str, object]:
        """The documented body of GET /api/retrain/status."""
        return {"running": self.running, "last_result": self.last_result}


@dataclass
class RetrainResult:
    ok: bool
    last_result: str
    videos: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class RefitResult:
    videos: int
    predicted: int
    seconds: float


# ----- lock and status --------------------------------------------------------------------
def _lock_path(artifacts_dir: Path) -> Path:
    return Path(artifacts_dir) / LOCK_FILE


def _try_lock(artifacts_dir: Path) -> int | None:
    """An fd holding the retrain lock, or None if another process holds it (OSError if the
    artifacts folder cannot be written)."""
    Path(artifacts_dir).mkdir(parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(_lock_path(artifacts_dir), flags, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_locked(artifacts_dir: Path) -> bool:
    """Whether a retrain holds the lock; read-only (a reader never creates the lock file)."""
    try:
        fd = os.open(_lock_path(artifacts_dir), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
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
    path = Path(artifacts_dir) / STATUS_FILE
    try:
        status = _STATUS.validate_json(read_regular(path, 1 << 20))
    except FileNotFoundError:
        status = RetrainStatus()
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s, which is not a retrain status: %s", path, str(exc)[:200])
        status = RetrainStatus(running=is_locked(artifacts_dir))
        if status.running:
            return status
    if status.running and not is_locked(artifacts_dir):
        stage = status.stage or STAGES[0]
        status.running = False
        status.last_result = f"Failed at {stage}: the retrain process stopped unexpectedly"
    return status


def _status_bytes(status: RetrainStatus) -> bytes:
    fields = asdict(status)
    for key, limit in (("last_result", 1000), ("message", 500)):  # always fits the reserve
        if isinstance(fields[key], str):
            fields[key] = fields[key][:limit]
    return json.dumps(fields, ensure_ascii=False).encode()


def _write_status_or_raise(
    artifacts_dir: Path, status: RetrainStatus, in_place: bool = True
) -> None:
    path = Path(artifacts_dir) / STATUS_FILE
    write_bytes_reserving(path, _status_bytes(status), STATUS_RESERVE, in_place)


def _write_status(artifacts_dir: Path, status: RetrainStatus) -> None:
    """Best effort: a full disk must not turn a retrain's failure into a crash."""
    try:
        _write_status_or_raise(artifacts_dir, status)
    except OSError as exc:
        log.warning("cannot write the retrain status: %s", exc)


# ----- running ----------------------------------------------------------------------------
@contextlib.contextmanager
def _holding_lock(artifacts_dir: Path) -> Iterator[None]:
    inherited = os.environ.pop(_LOCK_FD_ENV, None)
    try:
        fd = int(inherited) if inherited else _try_lock(artifacts_dir)
    except OSError as exc:
        raise RetrainUnavailable(_cannot_start(artifacts_dir, exc)) from None
    if fd is None:
        raise RetrainBusy("a retrain is already running")
    os.set_inheritable(fd, False)  # decoder workers must not keep the lock alive
    try:
        yield
    finally:
        os.close(fd)


def run(
    settings: Settings, on_progress: Callable[[ProgressEvent], None] | None = None
) -> RetrainResult:
    """Extract -> train -> predict in this process. Raises RetrainBusy if one is running."""

    artifacts = Path(settings.artifacts_dir)
    with _holding_lock(artifacts):
        previous = read_status(artifacts).last_result
        status = RetrainStatus(True, previous, STAGES[0], pid=os.getpid(), started_at=time.time())
        _write_status(artifacts, status)
        start = time.monotonic()
        last_write = [0.0]

        def progress(stage: str) -> Callable[[int, int], None]:
            def report(done: int, total: int) -> None:
                status.stage, status.done, status.total = stage, done, total
                if on_progress:
                    on_progress(ProgressEvent(stage, done, total))
                now = time.monotonic()
                if now - last_write[0] > 0.3 or done == total:
                    last_write[0] = now
                    _write_status(artifacts, status)

            return report

        stage = STAGES[0]
        result = RetrainResult(False, "")
        try:
            deadline = time.monotonic() + STAGE_SECONDS
            extracted = extract_features.run(settings, progress(stage), deadline=deadline)
            result.videos, result.skipped = len(extracted.features), extracted.skipped
            stage = STAGES[1]
            progress(stage)(0, 1)
            began = time.monotonic()
            trained = train.run(settings, extracted)
            if time.monotonic() - began > STAGE_SECONDS:
                raise StageTimeout(f"training took longer than {STAGE_SECONDS:.0f} s")
            result.metrics = trained.metrics
            progress(stage)(1, 1)
            stage = STAGES[2]
            progress(stage)(0, 1)
            predict.run(settings, extracted, trained.model)
            progress(stage)(1, 1)
            result.ok, result.last_result = True, "success"
        except (StageError, StageTimeout, OSError, ValueError, MemoryError) as exc:
            result.last_result = f"Failed at {stage}: {exc}"
        except Exception as exc:  # an unexpected bug still ends as a readable status
            result.last_result = f"Failed at {stage}: {type(exc).__name__}: {exc}"
        result.seconds = time.monotonic() - start
        status.running, status.last_result = False, result.last_result
        status.finished_at = time.time()
        status.message = _summary(result)
        _write_status(artifacts, status)
        return result


def _summary(result: RetrainResult) -> str:
    parts = [f"{result.videos} videos", f"{len(result.skipped)} skipped"]
    if result.metrics.get("top1") is not None:
        parts.append(f"CV top-1 {result.metrics['top1']:.2f}")
    if result.metrics.get("feature_set"):
        parts.append(f"features {result.metrics['feature_set']}")
    return ", ".join(parts) + f", {result.seconds:.1f} s"


def _cannot_start(artifacts: Path, exc: OSError) -> str:
    why = exc.strerror or exc
    return f"cannot start a retrain: cannot write to the artifacts folder {artifacts} ({why})"


def start_background(settings: Settings) -> str:
    """Start a retrain in its own process: "started", or "already_running".

    RetrainUnavailable (with the reason, also left in last_result when it can be written)
    when it cannot start: the artifacts folder is read-only or full.
    """
    artifacts = Path(settings.artifacts_dir)
    try:
        fd = _try_lock(artifacts)
    except OSError as exc:
        raise RetrainUnavailable(_cannot_start(artifacts, exc)) from None
    if fd is None:
        return "already_running"
    try:
        previous = read_status(artifacts).last_result
        try:
            # Atomically or not at all: a disk too full for this is too full for a retrain.
            running = RetrainStatus(True, previous, STAGES[0], started_at=time.time())
            _write_status_or_raise(artifacts, running, in_place=False)
            env = {**os.environ, **settings.to_env(), _LOCK_FD_ENV: str(fd)}
            with open(artifacts / LOG_FILE, "ab") as log:
                subprocess.Popen(
                    [sys.executable, "-m", "vidsort_tui.services.retrain"],
                    env=env, pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True, close_fds=True,
                )  # fmt: skip
        except OSError as exc:
            reason = _cannot_start(artifacts, exc)
            failed = f"Failed at start: {reason.removeprefix('cannot start a retrain: ')}"
            _write_status(artifacts, RetrainStatus(False, failed, finished_at=time.time()))
            raise RetrainUnavailable(reason) from None
    finally:
        os.close(fd)  # the child holds its own copy of the locked file description
    return "started"


def refit(settings: Settings) -> RefitResult | None:
    """Refit the chosen model on cached features only (no decoding) and re-predict.

    None when there is no model yet, too little data, or a full retrain is running.
    """

    artifacts = Path(settings.artifacts_dir)
    try:
        fd = _try_lock(artifacts)
    except OSError:
        return None  # read-only artifacts: nothing can be refitted or saved
    if fd is None:
        return None
    try:
        outcome = fast.refit(settings)
    finally:
        os.close(fd)
    return None if outcome is None else RefitResult(*outcome)


if __name__ == "__main__":
    outcome = run(Settings.load({}))
    print(outcome.last_result, flush=True)
    sys.exit(0 if outcome.ok else 1)
