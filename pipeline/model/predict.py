"""Stage 3: top-3 folders for every unsorted video, and how likely none fits, written as
predictions.json.

The classifier picks the folder; the open-set calibration (``pipeline.model.open_set``) says how
likely that folder is right, the chance that no folder fits included, from where the video
sits among the library's videos. Every model that writes predictions (a retrain, a refit,
``predict_missing``) goes through ``judge`` here.
Run: python -m pipeline.model.predict --data DIR --artifacts DIR
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from pipeline.features import extract
from pipeline.features.extract import ExtractResult
from pipeline.model.fused_rows import fuse, keys_for
from pipeline.model.open_set import Graph, evidence, library_graph, spread
from pipeline.model.trained_model import TrainedModel, load
from pipeline.stage_cli import stage_main
from pipeline.stage_errors import StageError
from pipeline.video_refs import VideoRef, library_videos
from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings
from vidsort_tui.core.predictions import Prediction, write_predictions

TOP_K = 3
#: a video is of a new kind when no folder fitting is at least this likely
NEW_KIND = 0.5


def judge(
    model: TrainedModel,
    names: list[str],
    probabilities: np.ndarray,
    graph: Graph | None,
    labelled: Mapping[str, str],
) -> dict[str, Prediction]:
    """Predictions for the unsorted videos ``names`` from the classifier's ``probabilities``
    (rows in ``names`` order, columns in ``model.classes`` order), judged in ``graph`` where
    ``labelled`` (video id -> folder) are the filed videos. Without a graph or an open-set
    calibration (a model from before it existed) the classifier's probabilities stand."""
    calibration = model.open_set
    top = probabilities.argmax(1) if len(names) else np.zeros(0, np.int64)
    confidence = probabilities[np.arange(len(names)), top]
    none = np.zeros(len(names))
    if calibration is not None and graph is not None and len(names):
        where = np.array([graph.position.get(n, -1) for n in names])
        known = where >= 0
        classes = {c: i for i, c in enumerate(model.classes)}
        seeds = [(graph.position[v], classes[f]) for v, f in labelled.items()
                 if f in classes and v in graph.position]  # fmt: skip
        seed_at = np.array([p for p, _ in seeds], np.int64)
        seed_label = np.array([c for _, c in seeds], np.int64)
        label_at = np.full(len(graph.ids), -1)
        label_at[seed_at] = seed_label
        reached = spread(graph, seed_at, seed_label, len(model.classes))
        x = evidence(graph, reached, label_at, where[known], top[known])
        confidence[known] = calibration.confidence(x)
        none[known] = calibration.none_fits(x)
    out: dict[str, Prediction] = {}
    for i, name in enumerate(names):
        out[name] = _prediction(model.classes, probabilities[i], int(top[i]), confidence[i],
                                none[i])  # fmt: skip
    return out


def _prediction(
    classes: list[str], row: np.ndarray, top: int, confidence: float, none: float
) -> Prediction:
    """The top folder at ``confidence``; no folder fitting at ``none`` (at most what is left);
    the rest shared by the other folders as the classifier ranks them, none of them shown
    above the top one (the classifier's choice stays first). ``new_kind``: it is likelier
    that no folder fits than that any does (then it is the likeliest single answer too)."""
    none = min(none, 1.0 - confidence)
    rest = 1.0 - confidence - none
    others = np.delete(np.arange(len(classes)), top)
    weights = row[others] / max(float(row[others].sum()), 1e-12)
    shares = np.minimum(rest * weights, confidence)
    order = others[np.argsort(-shares, kind="stable")][: TOP_K - 1]
    share_of = dict(zip(others.tolist(), shares.tolist(), strict=True))
    ranked = [(classes[top], round(float(confidence), 4))]
    ranked += [(classes[j], round(share_of[int(j)], 4)) for j in order]
    return Prediction(ranked[0][0], ranked[0][1], tuple(ranked), bool(none >= NEW_KIND))


def predict(
    model: TrainedModel,
    names: list[str],
    matrix: np.ndarray,
    graph: Graph | None = None,
    labelled: Mapping[str, str] | None = None,
) -> dict[str, Prediction]:
    """Top-3 per video; ``matrix``: the videos' fused rows (``matrix.fuse``), in ``names``
    order; ``graph`` and ``labelled`` as for ``judge``."""
    if not names:
        return {}
    probabilities = model.classifier.predict_proba(matrix)
    return judge(model, names, probabilities, graph, labelled or {})


def run(
    settings: Settings,
    extracted: ExtractResult,
    videos: list[VideoRef],
    model: TrainedModel | None = None,
    graph: Graph | None = None,
) -> dict[str, Prediction]:
    """Predict every unsorted video that has features, and save predictions.json.

    ``videos``: the scan extraction was handed; ``graph``: the library's
    (``open_set.library_graph``), if the caller built it already."""
    model = model or load(Path(settings.artifacts_dir))
    if model is None:
        raise StageError("no trained model: run a retrain first")
    refs = {v.rel: v for v in videos if v.label is None and v.rel in extracted.features}
    names = sorted(refs)
    if model.content:  # a video without an embedding cannot be predicted by this model
        names = [n for n in names if extracted.features[n].embedding is not None]
    features = [extracted.features[n] for n in names]
    keys = keys_for([refs[n].path for n in names])
    matrix = fuse(features, model.vocabulary, model.content, keys, Path(settings.artifacts_dir))
    if graph is None:
        cache = Path(settings.artifacts_dir) / artifacts.NEIGHBOURS
        graph = library_graph(extracted.features, model.content, cache)
    labelled = {v.rel: v.label for v in videos if v.label is not None}
    predictions = predict(model, names, matrix, graph, labelled)
    write_predictions(Path(settings.artifacts_dir), predictions)
    return predictions


def main(argv: list[str] | None = None) -> int:
    def body(settings: Settings) -> str:
        videos = library_videos(settings)
        predicted = run(settings, extract.run(settings, videos), videos)
        return f"{len(predicted)} unsorted videos predicted"

    return stage_main(__doc__ or "", body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
