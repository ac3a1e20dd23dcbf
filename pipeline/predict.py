"""Stage 3: top-3 folders for every unsorted video, written as predictions.json.

Run: python -m pipeline.predict --data DIR --artifacts DIR
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline import extract_features
from pipeline.features import VideoFeatures
from pipeline.matrix import fused, keys_for
from pipeline.model import TrainedModel, load
from pipeline.stage import StageError, library_videos, stage_main
from vidsort_tui.core.predictions import Prediction, write_predictions

TOP_K = 3


def predict(
    model: TrainedModel, unsorted: dict[str, VideoFeatures], matrix: np.ndarray | None = None
) -> dict[str, Prediction]:
    """Top-3 per video; ``matrix`` (fused rows in sorted-name order) skips re-encoding."""
    names = sorted(unsorted)
    if not names:
        return {}
    if matrix is None:
        probabilities = model.probabilities([unsorted[n] for n in names])
    else:
        probabilities = model.classifier.predict_proba(matrix)  # type: ignore[attr-defined]
    out: dict[str, Prediction] = {}
    for name, row in zip(names, probabilities, strict=True):
        order = row.argsort()[::-1][:TOP_K]
        top = tuple((model.classes[i], round(float(row[i]), 4)) for i in order)
        out[name] = Prediction(top[0][0], top[0][1], top)
    return out


def run(settings, extracted, model: TrainedModel | None = None) -> dict[str, Prediction]:  # type: ignore[no-untyped-def]
    """Predict every unsorted video that has features, and save predictions.json."""
    model = model or load(Path(settings.artifacts_dir))
    if model is None:
        raise StageError("no trained model: run a retrain first")
    refs = {
        v.rel: v
        for v in library_videos(settings)
        if v.label is None and v.rel in extracted.features
    }
    unsorted = {rel: extracted.features[rel] for rel in refs}
    names = sorted(unsorted)
    if model.content:  # a video without an embedding cannot be predicted by this model
        names = [n for n in names if unsorted[n].embedding is not None]
        unsorted = {n: unsorted[n] for n in names}
    matrix = fused([unsorted[n] for n in names], keys_for([refs[n].path for n in names]),
                   model.vocabulary, Path(settings.artifacts_dir), model.content)  # fmt: skip
    predictions = predict(model, unsorted, matrix)
    write_predictions(Path(settings.artifacts_dir), predictions)
    return predictions


def main(argv: list[str] | None = None) -> int:
    def body(settings) -> str:  # type: ignore[no-untyped-def]
        return f"{len(run(settings, extract_features.run(settings)))} unsorted videos predicted"

    return stage_main(__doc__ or "", body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
