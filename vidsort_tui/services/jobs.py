"""Starting pipeline jobs, one at a time across processes: a retrain or a refit in a child
process that inherits the lock (job_lock.py) and reports through the status file
(job_status.py, a retrain only), and the time limit a job child sets itself.

This module never imports the pipeline: the TUI and every API worker use it to start jobs
and stay small and quick to start. The jobs themselves run in
``vidsort_tui.services.retrain`` (a separate process when started from here).
See ARCHITECTURE.md ("Layers", "A retrain").
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from vidsort_tui.core import artifacts as names
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import RetrainUnavailable
from vidsort_tui.core.names import MIN_EXAMPLES
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.services.job_lock import LOCK_FD_ENV, cannot_start, open_regular, try_lock
from vidsort_tui.services.job_status import (
    STAGES,
    RetrainStatus,
    read_status,
    write_status,
    write_status_or_raise,
)

log = logging.getLogger(__name__)

STAGE_SECONDS = 900.0
#: A job child ends itself after this long without progress, whatever it is stuck on (the
#: kernel then drops the lock, and the status reads as failed): each retrain stage has
#: STAGE_SECONDS. Progress restarts the count, so a first retrain of a big library, which
#: takes hours, is never cut short.
RETRAIN_CHILD_SECONDS = len(STAGES) * STAGE_SECONDS + 300
REFIT_CHILD_SECONDS = 900
RUNNER_MODULE = "vidsort_tui.services.retrain"


def first_model_due(settings: Settings, folder_counts: Iterable[int]) -> bool:
    """Whether to train a first model now, unasked: ``auto_train`` is on, there is no model
    and no prediction (every row would show none: a first look for look-alikes leaves an
    empty predictions file) and no job running, and at least two folders have enough videos
    to learn from."""
    artifacts = Path(settings.artifacts_dir)
    learnable = sum(1 for count in folder_counts if count >= MIN_EXAMPLES)
    return (
        settings.model.auto_train
        and learnable >= 2
        and not (artifacts / names.MODEL).exists()
        and not read_status(artifacts).running
        and not PredictionStore(artifacts).snapshot()
    )


def lookalikes_due(settings: Settings, folder_counts: Iterable[int], unsorted: int) -> bool:
    """Whether to look for look-alikes now, unasked: the most common first run of all, a
    flat folder of saved videos and no folder yet (nothing to train from), where what the
    app can offer first is "these look alike: make a folder?". Once: a retrain that ran
    leaves similarity.json, found groups or not."""
    artifacts = Path(settings.artifacts_dir)
    return (
        settings.model.auto_train
        and not any(count > 0 for count in folder_counts)
        and unsorted >= MIN_EXAMPLES
        and not (artifacts / names.SIMILARITY).exists()
        and not read_status(artifacts).running
    )


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
            log_fd = open_regular(artifacts / names.RETRAIN_LOG, os.O_WRONLY | os.O_APPEND
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
