"""The learning loop, the same in every interface: refit after every few sorts, and at once
when a video comes back (an undo) without a prediction.

Sorts are counted from the journal since the current model read the library
(``core.learning``), so the TUI and every API worker share one count; the refit runs in a
child process holding the retrain lock (``jobs.start_refit``), so one runs at a time across
processes. Light, like ``jobs``: no pipeline import.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings
from vidsort_tui.core.learning import sorts_since_model
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.services import job_lock, jobs

log = logging.getLogger(__name__)

#: how long a video that came back waits for a running job before giving up on a refit
WAIT_FOR_JOB_SECONDS = 600.0
POLL_SECONDS = 0.25


def refit_due(settings: Settings) -> bool:
    """Whether ``refit_every`` sorts were made since the model read the library (False when
    that cannot be told: the sort that asks is done and must not fail for it)."""
    try:
        count = sorts_since_model(Path(settings.artifacts_dir), settings.model.refit_every)
    except OSError as exc:
        log.warning("cannot tell whether a refit is due: %s", exc)
        return False
    return count is not None and count >= settings.model.refit_every


def finish(child: subprocess.Popen[bytes]) -> dict[str, float] | None:
    """Wait for a refit child; what it reports (None: nothing could be refitted)."""
    output, _ = child.communicate()
    return jobs.refit_outcome(output)


def refit_now(settings: Settings) -> dict[str, float] | None:
    """Refit in a child and wait for it (None: a job is running, or nothing to refit)."""
    child = jobs.start_refit(settings)
    return None if child is None else finish(child)


def refit_if_due(settings: Settings) -> bool:
    """After a sort: start a refit when one is due, and reap it in a thread (the server's
    request does not wait). True if one was started."""
    if not refit_due(settings):
        return False
    child = jobs.start_refit(settings)  # None: another job runs; the next sort tries again
    if child is None:
        return False
    threading.Thread(target=finish, args=(child,), name="refit-reaper", daemon=True).start()
    return True


def without_prediction(settings: Settings, filenames: Iterable[str]) -> list[str]:
    predicted = PredictionStore(Path(settings.artifacts_dir)).snapshot()
    return [name for name in filenames if name not in predicted]


def predict_returned(
    settings: Settings, filenames: list[str], wait: float = WAIT_FOR_JOB_SECONDS
) -> dict[str, float] | None:
    """Videos back in the unsorted list get a prediction from the current model: refit now,
    or after the running job (which may predict them itself: then nothing more is done).

    Blocking; the outcome of the refit it ran, or None.
    """
    deadline = time.monotonic() + wait
    while without_prediction(settings, filenames):
        if not (Path(settings.artifacts_dir) / artifacts.MODEL).exists():
            return None  # nothing to predict with: the user trains first
        child = jobs.start_refit(settings)
        if child is not None:
            return finish(child)
        if not job_lock.is_locked(Path(settings.artifacts_dir)) or time.monotonic() > deadline:
            return None  # the artifacts folder cannot be written, or the job never ends
        time.sleep(POLL_SECONDS)
    return None


def predict_returned_in_background(settings: Settings, filenames: list[str]) -> None:
    """The server's undo: the same, in a thread, so the request does not wait."""
    if without_prediction(settings, filenames):
        threading.Thread(
            target=predict_returned, args=(settings, filenames), name="undo-refit", daemon=True
        ).start()
