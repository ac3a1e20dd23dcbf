"""predictions.json: documented shape, reload on change, missing/corrupt never crash."""

from __future__ import annotations

import json
import os

from vidsort_tui.core.predictions import (
    NO_PREDICTION,
    Prediction,
    PredictionStore,
    write_predictions,
)

ORIGINAL_SERVER_FILE = {
    "7234567890123456.mp4": {
        "predicted_folder": "soccer",
        "confidence": 0.87,
        "top_predictions": [
            {"folder": "soccer", "confidence": 0.87},
            {"folder": "food", "confidence": 0.10},
        ],
    },
    "7234567890123457.mp4": {"predicted_folder": None, "confidence": 0, "top_predictions": []},
}


def test_a_file_written_by_the_original_server_loads(tmp_path):
    (tmp_path / "predictions.json").write_text(json.dumps(ORIGINAL_SERVER_FILE))
    store = PredictionStore(tmp_path)
    first = store.get("7234567890123456.mp4")
    assert first.predicted_folder == "soccer" and first.confidence == 0.87
    assert first.top_predictions == (("soccer", 0.87), ("food", 0.10))
    # the documented fields come back as they were; new_kind is the one addition (absent: false)
    assert first.to_json() == {**ORIGINAL_SERVER_FILE["7234567890123456.mp4"], "new_kind": False}
    assert store.get("7234567890123457.mp4").to_json() == {
        **ORIGINAL_SERVER_FILE["7234567890123457.mp4"],
        "new_kind": False,
    }
    assert store.get("unknown.mp4") is NO_PREDICTION and store.warning is None


def test_new_kind_round_trips_and_only_a_real_true_counts(tmp_path):
    write_predictions(tmp_path, {"1.mp4": Prediction("a", 0.3, (("a", 0.3),), True)})
    assert json.loads((tmp_path / "predictions.json").read_text())["1.mp4"]["new_kind"] is True
    assert PredictionStore(tmp_path).get("1.mp4").new_kind is True
    odd = {"2.mp4": {"predicted_folder": "a", "confidence": "0.5", "new_kind": "yes"}}
    (tmp_path / "predictions.json").write_text(json.dumps(odd))
    assert PredictionStore(tmp_path).get("2.mp4").new_kind is False


def test_round_trip_and_reload_when_the_file_changes(tmp_path):
    store = PredictionStore(tmp_path)
    assert store.snapshot() == {}
    write_predictions(tmp_path, {"1.mp4": Prediction("a", 0.6, (("a", 0.6), ("b", 0.4)))})
    assert store.get("1.mp4").predicted_folder == "a"
    write_predictions(tmp_path, {"1.mp4": Prediction("b", 0.9, (("b", 0.9),))})
    assert store.get("1.mp4").predicted_folder == "b"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_corrupt_or_odd_files_mean_no_predictions_and_a_warning(tmp_path):
    store = PredictionStore(tmp_path)
    (tmp_path / "predictions.json").write_text('{"1.mp4": {"predicted_folder": "a", "confid')
    assert store.snapshot() == {} and "unreadable" in (store.warning or "")
    (tmp_path / "predictions.json").write_text("[1, 2]")
    assert store.snapshot() == {} and "not a JSON object" in (store.warning or "")
    odd = {
        "1.mp4": {
            "confidence": "NaN",
            "top_predictions": [{"folder": "x", "confidence": 7}, "junk"],
        }
    }
    (tmp_path / "predictions.json").write_text(json.dumps(odd))
    assert store.get("1.mp4") == Prediction("x", 0.0, (("x", 1.0),)) and store.warning is None
