"""Stage 3: top-3 folders for every unsorted video, and how likely none fits, written as
predictions.json.

The classifier picks the folder, and the video's neighbours in the library (what the open-set
calibration spreads over them anyway) have a part of the say in which come second and third;
the open-set calibration (``pipeline.model.open_set``) says how likely the first is right,
the chance that no folder fits included, from where the video sits among the library's
videos. Every model that writes predictions (a retrain, a refit, ``predict_missing``) goes
through ``judge`` here.
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
#: how much of the ranking after the first folder the library's neighbours decide
#: (``_with_neighbours``)
NEIGHBOUR_VOTE = 0.2


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
    ranking = probabilities.copy()  # of the folders after the first
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
        ranking[known] = _with_neighbours(probabilities[known], reached[where[known]])
        x = evidence(graph, reached, label_at, where[known], top[known])
        confidence[known] = calibration.confidence(x)
        none[known] = calibration.none_fits(x)
    out: dict[str, Prediction] = {}
    for i, name in enumerate(names):
        out[name] = _prediction(model.classes, ranking[i], int(top[i]), confidence[i], none[i])
    return out


def _with_neighbours(probabilities: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """The classifier's probabilities with NEIGHBOUR_VOTE of them given to the folders that
    reach each video through the library's graph (``open_set.spread``: its filed look-alikes,
    and theirs through the unsorted ones), to rank the folders after the classifier's first
    choice. A linear classifier's second and third choices are often guesses; the neighbours
    know which folders hold videos like this one. On real clips (``bench.heldout_accuracy``,
    three splits) the true folder missed the top 3 on up to 2.5% of videos by the classifier
    alone and on none with the neighbours' vote (any weight from 0.1 to 0.5 did as well).
    The first choice stays the classifier's: letting the vote pick it too cost known-kind
    top-1 when many unsorted videos have no folder (``bench.open_set``)."""
    folders = reached[:, : probabilities.shape[1]]
    total = folders.sum(1, keepdims=True)
    shares = np.where(total > 0, folders / np.maximum(total, 1e-12), probabilities)
    blended: np.ndarray = (1 - NEIGHBOUR_VOTE) * probabilities + NEIGHBOUR_VOTE * shares
    return blended


def _prediction(
    classes: list[str], row: np.ndarray, top: int, confidence: float, none: float
) -> Prediction:
    """The top folder at ``confidence``; no folder fitting at ``none`` (at most what is left);
    the rest shared by the other folders as ``row`` ranks them, none of them shown
    above the top one (the classifier's choice stays first). ``new_kind``: it is likelier
    that no folder fits than that any does (then it is the likeliest single answer too)."""
    none = min(none, 1.0 - confidence)
    rest = 1.0 - confidence - none
    others = np.delete(np.arange(len(classes)), top)
    weights = row[others] / max(float(row[others].sum()), 1e-12)
    shares = np.minimum(rest * weights, confidence)
    # by share, then as ``row`` ranks them: shares capped at the top one's tie, and a tie
    # must not fall back to the folders' alphabetical order
    order = others[np.lexsort((-weights, -shares))][: TOP_K - 1]
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
