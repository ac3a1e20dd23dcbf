"""Training picks a model by CV and reports metrics; degenerate libraries give clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.features import extract as extract_features
from pipeline.model import predict, train
from pipeline.model.refit import refit
from pipeline.model.trained_model import load
from pipeline.stage_errors import StageError
from pipeline.video_refs import library_videos
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import PredictionStore


def test_train_then_predict_top3_in_the_documented_shape(library_factory):
    settings = library_factory({"fire": 6, "sea": 6, "snow": 6}, unsorted=3)
    videos = library_videos(settings)
    extracted = extract_features.run(settings, videos)
    result = train.run(settings, extracted, videos)
    metrics = json.loads((settings.artifacts_dir / "metrics.json").read_text())
    assert (
        metrics["model"] in train.candidates(1, 2) and 0 <= metrics["top1"] <= metrics["top3"] <= 1
    )
    assert metrics["feature_set"] == "content+classical"
    assert metrics["top1"] >= 0.8  # fire, sea and snow are easy apart
    assert set(metrics["per_folder_recall"]) == {"fire", "sea", "snow"}
    assert metrics["examples_per_folder"] == {"fire": 6, "sea": 6, "snow": 6}
    assert len(metrics["confusion"]["matrix"]) == 3
    assert (
        metrics["calibration"].startswith("temperature ") and "open set" in metrics["calibration"]
    )
    assert 0 <= metrics["coverage_at_confidence_0_8"] <= 1
    # The reliability table is of the stated confidence, new kinds included: each filed
    # video predicted from the others and again with its folder held out.
    assert metrics["evaluated_predictions"] == 2 * metrics["evaluated_videos"]
    assert sum(row["count"] for row in metrics["reliability"]) == metrics["evaluated_predictions"]
    assert 0 <= metrics["new_kind_below_0_8"] <= 1
    assert load(settings.artifacts_dir).classes == result.model.classes
    predictions = predict.run(settings, extracted, videos)
    assert set(predictions) == set(Library(settings).unsorted())
    stored = json.loads((settings.artifacts_dir / "predictions.json").read_text())
    for entry in stored.values():
        assert set(entry) == {"predicted_folder", "confidence", "top_predictions", "new_kind"}
        assert len(entry["top_predictions"]) == 3
        assert entry["predicted_folder"] == entry["top_predictions"][0]["folder"]
        assert entry["confidence"] == entry["top_predictions"][0]["confidence"]


@pytest.mark.parametrize(
    ("folders", "message"),
    [
        ({}, "no labelled videos"),
        ({"sea": 3}, "at least two folders"),
        ({"sea": 3, "fire": 1}, "at least two folders"),
    ],
)
def test_degenerate_libraries_give_a_clear_message(library_factory, folders, message):
    settings = library_factory(folders, unsorted=1)
    with pytest.raises(StageError, match=message):
        videos = library_videos(settings)
        train.run(settings, extract_features.run(settings, videos), videos)


def test_a_folder_with_one_video_is_left_out_and_reported(library_factory):
    settings = library_factory({"sea": 2, "fire": 2, "snow": 1}, unsorted=1)
    videos = library_videos(settings)
    result = train.run(settings, extract_features.run(settings, videos), videos)
    assert result.model.classes == ["fire", "sea"]
    assert result.metrics["unlearnable"] == {"snow": "only 1 video (needs at least 2)"}


def test_refit_uses_cached_features_and_learns_new_folders(library_factory):
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=4)
    scanned = library_videos(settings)
    train.run(settings, extract_features.run(settings, scanned), scanned)
    library = Library(settings)
    library.create_folder("snow")
    for name in library.unsorted()[:2]:
        library.sort(name, "snow")
    videos, predicted, _seconds = refit(settings, library_videos(settings))
    assert videos == 8 and predicted == 2
    assert load(settings.artifacts_dir).classes == ["fire", "sea", "snow"]
    assert set(PredictionStore(settings.artifacts_dir).snapshot()) == set(library.unsorted())
    assert extract_features.run(settings, library_videos(settings)).decoded == 0


def test_stages_run_as_modules(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    args = ["--data", str(settings.data_dir), "--artifacts", str(settings.artifacts_dir)]
    for stage in ("features.extract", "model.train", "model.predict"):
        out = subprocess.run(
            [sys.executable, "-m", f"pipeline.{stage}", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
    assert (settings.artifacts_dir / "predictions.json").exists()
