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
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vidsort_tui.core.atomic import read_json, write_json_atomic
from vidsort_tui.core.config import Settings

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
    """An fd holding the retrain lock, or None if another process holds it."""
    Path(artifacts_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(_lock_path(artifacts_dir), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_locked(artifacts_dir: Path) -> bool:
    fd = _try_lock(artifacts_dir)
    if fd is None:
        return True
    os.close(fd)
    return False


def read_status(artifacts_dir: Path) -> RetrainStatus:
    """The shared status; a "running" status whose process died reads as failed."""
    try:
        raw = read_json(Path(artifacts_dir) / STATUS_FILE)
        status = RetrainStatus(**{k: raw.get(k) for k in RetrainStatus.__dataclass_fields__})
        status.done, status.total = int(status.done or 0), int(status.total or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return RetrainStatus()
    if status.running and not is_locked(artifacts_dir):
        stage = status.stage or STAGES[0]
        status.running = False
        status.last_result = f"Failed at {stage}: the retrain process stopped unexpectedly"
    return status


def _write_status(artifacts_dir: Path, status: RetrainStatus) -> None:
    """Best effort: a full disk must not turn a retrain's failure into a crash."""
    try:
        write_json_atomic(Path(artifacts_dir) / STATUS_FILE, asdict(status))
    except OSError as exc:
        log.warning("cannot write the retrain status: %s", exc)


# ----- running ----------------------------------------------------------------------------
@contextlib.contextmanager
def _holding_lock(artifacts_dir: Path) -> Iterator[None]:
    inherited = os.environ.pop(_LOCK_FD_ENV, None)
    fd = int(inherited) if inherited else _try_lock(artifacts_dir)
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
    from pipeline import extract_features, predict, train
    from pipeline.stage import StageError, StageTimeout

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


def start_background(settings: Settings) -> str:
    """Start a retrain in its own process: "started", or "already_running"."""
    artifacts = Path(settings.artifacts_dir)
    fd = _try_lock(artifacts)
    if fd is None:
        return "already_running"
    try:
        previous = read_status(artifacts).last_result
        _write_status(artifacts, RetrainStatus(True, previous, STAGES[0], started_at=time.time()))
        env = {**os.environ, **settings.to_env(), _LOCK_FD_ENV: str(fd)}
        with open(artifacts / LOG_FILE, "ab") as log:
            subprocess.Popen(
                [sys.executable, "-m", "vidsort_tui.core.retrain"],
                env=env, pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, close_fds=True,
            )  # fmt: skip
    finally:
        os.close(fd)  # the child holds its own copy of the locked file description
    return "started"


def refit(settings: Settings) -> RefitResult | None:
    """Refit the chosen model on cached features only (no decoding) and re-predict.

    None when there is no model yet, too little data, or a full retrain is running.
    """
    from pipeline import refit as fast

    artifacts = Path(settings.artifacts_dir)
    fd = _try_lock(artifacts)
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
