"""The learning loop's jobs: a video without a prediction is predicted by the current model,
at the end of every job, and an undo waits for a running job rather than giving up."""

from __future__ import annotations

import os
import shutil
import threading
import time

from pipeline.model import refit as fast
from pipeline.video_refs import library_videos
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import PredictionStore, write_predictions
from vidsort_tui.services import job_lock, learning, retrain


def test_predict_missing_adds_what_predictions_json_lacks(library_factory, clip_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=3)
    assert retrain.run(settings).ok
    before = PredictionStore(settings.artifacts_dir).snapshot()
    name = Library(settings).unsorted()[0]
    write_predictions(settings.artifacts_dir, {n: p for n, p in before.items() if n != name})
    shutil.copyfile(clip_factory("sea", seed=77), settings.data_dir / "new.mp4")  # no features
    assert fast.predict_missing(settings, library_videos(settings)) == 1
    after = PredictionStore(settings.artifacts_dir).snapshot()
    assert after[name] == before[name] and "new.mp4" not in after
    assert fast.predict_missing(settings, library_videos(settings)) == 0


def test_a_returned_video_waits_for_the_running_job_then_is_predicted(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    assert retrain.run(settings).ok
    name = Library(settings).unsorted()[0]
    kept = PredictionStore(settings.artifacts_dir).snapshot()
    write_predictions(settings.artifacts_dir, {n: p for n, p in kept.items() if n != name})
    lock = job_lock.try_lock(settings.artifacts_dir)  # another job runs
    assert lock is not None
    waiter = threading.Thread(target=learning.predict_returned, args=(settings, [name]))
    try:
        waiter.start()
        time.sleep(1.0)
        assert waiter.is_alive() and learning.without_prediction(settings, [name]) == [name]
    finally:
        os.close(lock)
    waiter.join(60)
    assert not waiter.is_alive()
    assert learning.without_prediction(settings, [name]) == []
