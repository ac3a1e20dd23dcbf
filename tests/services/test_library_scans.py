"""A job reads the library once: the retrain's (and each refit's) one scan is handed to every
stage, so a 10,000-video library is listed once per retrain, not once per stage.

The scans are counted on the real ``Library.scan`` (wrapped, not replaced): every stage still
reads the real folders."""

from __future__ import annotations

import os

import pytest

from pipeline.model import refit as fast
from pipeline.video_refs import library_videos
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import PredictionStore, write_predictions
from vidsort_tui.services import retrain


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per ``Library.scan`` made from now on, in this process."""
    made: list[int] = []
    real = Library.scan

    def counted(self: Library):  # type: ignore[no-untyped-def]
        made.append(1)
        return real(self)

    monkeypatch.setattr(Library, "scan", counted)
    return made


def test_a_retrain_and_a_refit_each_scan_the_library_once(library_factory, scans):
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=3)
    assert retrain.run(settings).ok
    assert len(scans) == 1  # extraction, training, prediction and predict_missing: one scan
    predicted = PredictionStore(settings.artifacts_dir).snapshot()
    assert set(predicted) == set(Library(settings).unsorted())
    # A video with no prediction (as after an undo) is predicted at the end of the refit,
    # from the same scan: the refit does not list the library again to find its features.
    name = sorted(predicted)[0]
    write_predictions(settings.artifacts_dir, {n: p for n, p in predicted.items() if n != name})
    scans.clear()
    assert retrain.refit(settings) is not None
    assert len(scans) == 1
    assert name in PredictionStore(settings.artifacts_dir).snapshot()


def test_a_video_an_undo_brought_back_after_the_scan_is_still_predicted(library_factory):
    """The job's scan saw the video in its folder; by the end of the job it is unsorted again
    and has no prediction: predict_missing finds it (the unsorted videos are listed again)
    and predicts it from its cached features (a sort or an undo keeps the cache key)."""
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    assert retrain.run(settings).ok
    videos = library_videos(settings)  # a job's scan, made before the undo
    back = next(v for v in videos if v.label == "sea")
    os.rename(back.path, settings.data_dir / back.path.name)  # as an undo moves it
    assert back.path.name not in PredictionStore(settings.artifacts_dir).snapshot()
    assert fast.predict_missing(settings, videos) == 1
    prediction = PredictionStore(settings.artifacts_dir).snapshot()[back.path.name]
    assert prediction.predicted_folder in {"sea", "fire"}
    assert fast.predict_missing(settings, videos) == 0
