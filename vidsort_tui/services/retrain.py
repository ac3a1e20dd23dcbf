"""The pipeline jobs themselves: a full retrain (extract -> train -> predict, with look-alikes
and near-duplicates beside the predictions) and a refit.

They run under the lock of ``services.jobs``, in this process (`vidsort-tui --retrain`, the
demo's first training) or in a child started by ``jobs.start_background``/``start_refit``
(`python -m vidsort_tui.services.retrain [--refit]`). The model and predictions are replaced
atomically only when their stage finishes: a killed run leaves the last good ones.
Each scans the library once (``library_videos``) and hands that list to every stage:
extraction, training, prediction and ``predict_missing`` all read the same videos.
Both end by predicting any unsorted video still without a prediction (one an undo brought
back while they ran), and by recording in learning.json when they read the library, which
restarts the count of sorts towards the next refit (``services.learning``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.features import extract
from pipeline.model import predict, train
from pipeline.model import refit as fast
from pipeline.similarity import lookalikes
from pipeline.stage_errors import StageError, StageTimeout
from pipeline.video_refs import VideoRef, library_videos
from vidsort_tui.core import artifacts as names
from vidsort_tui.core.config import Settings
from vidsort_tui.core.display import display_text, escape_log_output
from vidsort_tui.core.errors import RetrainUnavailable
from vidsort_tui.core.learning import record_learning, sorts_since_model
from vidsort_tui.core.metrics import TrainingMetrics
from vidsort_tui.core.predictions import write_predictions
from vidsort_tui.services.job_lock import RetrainBusy, holding_lock
from vidsort_tui.services.job_status import (
    STAGES,
    ProgressEvent,
    RetrainStatus,
    read_status,
    write_status,
)
from vidsort_tui.services.jobs import (
    REFIT_CHILD_SECONDS,
    RETRAIN_CHILD_SECONDS,
    STAGE_SECONDS,
    end_after,
    still_working,
)

log = logging.getLogger(__name__)

#: a refit child refits again while the sorts made meanwhile make another due, at most this
MAX_REFITS_IN_A_ROW = 3

__all__ = ["ProgressEvent", "RetrainBusy", "RetrainResult", "RefitResult", "refit", "run"]


@dataclass
class RetrainResult:
    ok: bool
    last_result: str
    videos: int = 0
    notes: list[str] = field(default_factory=list)  # damaged cache rows, the cluster used
    skipped: dict[str, str] = field(default_factory=dict)
    metrics: TrainingMetrics = field(default_factory=TrainingMetrics)
    seconds: float = 0.0
    #: what a person should know besides success (a first run without folders: the groups)
    note: str = ""


@dataclass
class RefitResult:
    videos: int
    predicted: int
    seconds: float


def run(
    settings: Settings, on_progress: Callable[[ProgressEvent], None] | None = None
) -> RetrainResult:
    """Extract -> train -> predict in this process. Raises RetrainBusy if one is running."""

    artifacts = Path(settings.artifacts_dir)
    with holding_lock(artifacts):
        previous = read_status(artifacts).last_result
        status = RetrainStatus(True, previous, STAGES[0], pid=os.getpid(), started_at=time.time())
        write_status(artifacts, status)
        start, read_at = time.monotonic(), time.time()
        last_write = [0.0]

        def progress(stage: str) -> Callable[[int, int], None]:
            def report(done: int, total: int) -> None:
                # A new stage is written at once (readers must not see "extracting 90/90"
                # while training runs); progress within a stage at most every 0.3 s.
                new_stage = stage != status.stage
                status.stage, status.done, status.total = stage, done, total
                now = time.monotonic()
                if new_stage or now - last_write[0] > 0.3 or done == total:
                    last_write[0] = now
                    write_status(artifacts, status)
                still_working()  # a job child's time limit counts from the last progress
                if on_progress:
                    on_progress(ProgressEvent(stage, done, total))

            return report

        stage = STAGES[0]
        result = RetrainResult(False, "")
        try:
            videos = library_videos(settings)  # the one scan of this retrain
            extracted = extract.run(settings, videos, progress(stage), STAGE_SECONDS)
            result.videos, result.skipped = len(extracted.features), extracted.skipped
            result.notes = extracted.notes()
            stage = STAGES[1]
            progress(stage)(0, 1)
            began = time.monotonic()
            try:
                trained: train.TrainResult | None = train.run(settings, extracted, videos)
            except train.NoFolders:
                trained = None  # a first run on a flat folder: look-alikes only
            if time.monotonic() - began > STAGE_SECONDS:
                raise StageTimeout(f"training took longer than {STAGE_SECONDS:.0f} s")
            progress(stage)(1, 1)
            stage = STAGES[2]
            progress(stage)(0, 1)
            if trained is None:
                result.note = _without_folders(settings, extracted)
            else:
                result.metrics = trained.metrics
                predicted = predict.run(settings, extracted, videos, trained.model, trained.graph)
                searched = trained.graph.searched if trained.graph is not None else None
                lookalikes.run(settings, extracted.features, predicted, searched)
                _predict_missing(settings, videos)
                _record_learning(artifacts, read_at)
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
        write_status(artifacts, status)
        return result


def _without_folders(settings: Settings, extracted: extract.ExtractResult) -> str:
    """No video is in a folder: there is nothing to predict into, so no model (one left from
    folders that are gone would predict into them: it goes, with its predictions and
    metrics), and the look-alike groups are what the retrain offers."""
    artifacts = Path(settings.artifacts_dir)
    write_predictions(artifacts, {})
    for stale in (names.MODEL, names.METRICS):
        (artifacts / stale).unlink(missing_ok=True)
    groups = len(lookalikes.run(settings, extracted.features, {}).groups)
    if not groups:
        return "no folders yet, and no videos look alike: make a folder and file a few videos"
    return f"no folders yet: {groups} look-alike group{'s' * (groups != 1)} suggested"


def _summary(result: RetrainResult) -> str:
    parts = [f"{result.videos} videos", f"{len(result.skipped)} skipped"]
    if result.note:
        parts.insert(0, result.note)
    if result.metrics.get("top1") is not None:
        parts.append(f"CV top-1 {result.metrics['top1']:.2f}")
    if result.metrics.get("feature_set"):
        parts.append(f"features {result.metrics['feature_set']}")
    return ", ".join(parts + result.notes) + f", {result.seconds:.1f} s"


def refit(settings: Settings) -> RefitResult | None:
    """Refit the chosen model on cached features only (no decoding) and re-predict.

    None when there is no model yet, too little data, another job holds the lock, or the
    artifacts folder cannot be written.
    """
    artifacts = Path(settings.artifacts_dir)
    try:
        with holding_lock(artifacts):
            for _ in range(MAX_REFITS_IN_A_ROW):
                started = time.time()
                videos = library_videos(settings)  # the one scan of this refit
                outcome = fast.refit(settings, videos)
                _predict_missing(settings, videos)
                # Even a refit that could not be done restarts the count: a model needs more
                # than sorts to be refitted then, and a child per sort would only repeat this.
                done = None if outcome is None else (started, time.time())
                _record_learning(artifacts, started, done)
                if (
                    outcome is None
                    or (sorts_since_model(artifacts, settings.model.refit_every) or 0)
                    < settings.model.refit_every
                ):
                    break  # else the sorts made meanwhile are due: nobody else would start it
    except (RetrainBusy, RetrainUnavailable):
        return None
    return None if outcome is None else RefitResult(*outcome)


def _record_learning(
    artifacts: Path, read_at: float, refit: tuple[float, float] | None = None
) -> None:
    try:
        record_learning(artifacts, read_at, refit)
    except OSError as exc:  # the model is made; only the count of sorts is off
        log.warning("cannot write %s: %s", names.LEARNING, exc)


def _predict_missing(settings: Settings, videos: list[VideoRef]) -> None:
    """Until no unsorted video that can be predicted is left without (a few rounds: undos
    may go on meanwhile); ``videos``: the job's scan."""
    for _ in range(3):
        if not fast.predict_missing(settings, videos):
            return


def main(argv: list[str] | None = None) -> int:
    """The background job's entry point: a retrain, or with --refit a refit."""
    escape_log_output()  # its output is retrain.log, which people read in a terminal
    parser = argparse.ArgumentParser(prog="python -m " + __spec__.name if __spec__ else None)
    parser.add_argument("--refit", action="store_true", help="refit on cached features only")
    args = parser.parse_args(argv)
    settings = Settings.load({})
    end_after(REFIT_CHILD_SECONDS if args.refit else RETRAIN_CHILD_SECONDS)
    if args.refit:
        outcome = refit(settings)
        print(json.dumps(None if outcome is None else outcome.__dict__), flush=True)
        return 0
    result = run(settings)
    print(display_text(result.last_result), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
