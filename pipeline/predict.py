"""Stage 3: top-3 folders for every unsorted video, written as predictions.json.

Run: python -m pipeline.predict --data DIR --artifacts DIR
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline import extract_features
from pipeline.extract_features import ExtractResult
from pipeline.matrix import fuse, keys_for
from pipeline.model import TrainedModel, load
from pipeline.stage import StageError, library_videos, stage_main
from vidsort_tui.core.config import Settings
from vidsort_tui.core.predictions import Prediction, write_predictions

TOP_K = 3


def predict(model: TrainedModel, names: list[str], matrix: np.ndarray) -> dict[str, Prediction]:
    """Top-3 per video; ``matrix``: the videos' fused rows (``matrix.fuse``), in ``names`` order."""
    if not names:
        return {}
    probabilities = model.classifier.predict_proba(matrix)
    out: dict[str, Prediction] = {}
    for name, row in zip(names, probabilities, strict=True):
        order = row.argsort()[::-1][:TOP_K]
        top = tuple((model.classes[i], round(float(row[i]), 4)) for i in order)
        out[name] = Prediction(top[0][0], top[0][1], top)
    return out


def run(
    settings: Settings, extracted: ExtractResult, model: TrainedModel | None = None
) -> dict[str, Prediction]:
    """Predict every unsorted video that has features, and save predictions.json."""
    model = model or load(Path(settings.artifacts_dir))
    if model is None:
        raise StageError("no trained model: run a retrain first")
    refs = {
        v.rel: v
        for v in library_videos(settings)
        if v.label is None and v.rel in extracted.features
    }
    names = sorted(refs)
    if model.content:  # a video without an embedding cannot be predicted by this model
        names = [n for n in names if extracted.features[n].embedding is not None]
    features = [extracted.features[n] for n in names]
    keys = keys_for([refs[n].path for n in names])
    matrix = fuse(features, model.vocabulary, model.content, keys, Path(settings.artifacts_dir))
    predictions = predict(model, names, matrix)
    write_predictions(Path(settings.artifacts_dir), predictions)
    return predictions


def main(argv: list[str] | None = None) -> int:
    def body(settings: Settings) -> str:
        return f"{len(run(settings, extract_features.run(settings)))} unsorted videos predicted"

    return stage_main(__doc__ or "", body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
