"""The fast path after sorts: refit the chosen model on cached features, no decoding.

Sorting renames a file, which keeps its cache key, so every sorted video already has
features and (since the last full retrain) its Fisher encoding; the classifier is fitted
again without the folds that chose it (its temperature is kept), and the open-set
calibration -- what the stated confidence means -- is fitted again exactly as a full
retrain fits it, on the folders as they are now (``pipeline.model.open_set.calibrate``: it needs
no classifier, so it costs a fraction of a second). A refit on a few new examples therefore
never states more confidence than a retrain on the same folders would. The unsorted videos
are predicted again, and similarity.json (groups, order, duplicates) is rewritten.

Every job ends with ``predict_missing``: a video that came back to the unsorted list while
it ran (an undo) is predicted by the model just made, judged the same way, not left without
a prediction. Each is handed the job's one scan of the library (``video_refs``); only the
unsorted videos are listed again, to find those that came back since.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from pipeline.features.cache import FeatureCache, Key, key_of
from pipeline.features.descriptor import VideoFeatures
from pipeline.model.fused_rows import fuse
from pipeline.model.open_set import Graph, calibrate, library_graph
from pipeline.model.predict import predict
from pipeline.model.train import learnable
from pipeline.model.trained_model import TrainedModel, load, save
from pipeline.similarity.lookalikes import run as write_similarity
from pipeline.video_refs import VideoRef
from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import PredictionStore, write_predictions

Cached = dict[str, tuple[str | None, VideoFeatures, Key]]


def cached_features(settings: Settings, videos: list[VideoRef]) -> Cached:
    """video id -> (label, features, cache key) for each of ``videos`` already in the cache
    (one moved since the scan is left out: its path no longer finds it)."""
    keys = {v.rel: key_of(v.path) for v in videos if not v.problem}
    cache = FeatureCache(Path(settings.artifacts_dir) / artifacts.FEATURES)
    try:
        known = cache.lookup((k for k in keys.values() if not isinstance(k, str)), local=False)
    finally:
        cache.close()
    out: Cached = {}
    for v in videos:
        key = keys.get(v.rel)
        if key is None or isinstance(key, str):  # a problem entry, or a file gone meanwhile
            continue
        value = known.get(key)
        if isinstance(value, VideoFeatures):
            out[v.rel] = (v.label, value, key)
    return out


def refit(settings: Settings, videos: list[VideoRef]) -> tuple[int, int, float] | None:
    """(labelled videos used, unsorted videos predicted, seconds until the new predictions
    were written), or None if not possible. similarity.json is rewritten after that.
    ``videos``: the library as the job scanned it (``library_videos``)."""
    start = time.monotonic()
    artifacts = Path(settings.artifacts_dir)
    model = load(artifacts)
    if model is None:
        return None
    cached = cached_features(settings, videos)
    if model.content:  # the model needs every video's embedding
        cached = {r: v for r, v in cached.items() if v[1].embedding is not None}
    classes, _ = learnable([label for label, _, _ in cached.values() if label is not None])
    if len(classes) < 2:
        return None
    labelled = [(label, f, k) for label, f, k in cached.values() if label in classes]
    y = np.array([label for label, _, _ in labelled])
    if min(np.unique(y, return_counts=True)[1]) < 2:
        return None
    unsorted = {rel: (f, k) for rel, (label, f, k) in cached.items() if label is None}
    names = sorted(unsorted)
    rows = [(f, k) for _, f, k in labelled] + [unsorted[n] for n in names]  # one cache read
    both = fuse([f for f, _ in rows], model.vocabulary, model.content, [k for _, k in rows],
                artifacts)  # fmt: skip
    refitted = model.refitted(both[: len(labelled)], y)
    graph = _graph(settings, model, cached)
    folders = {rel: label for rel, (label, _, _) in cached.items() if label in classes}
    found = calibrate(graph, folders, refitted.classes)
    refitted.open_set = found[0] if found is not None else None
    predictions = predict(refitted, names, both[len(labelled) :], graph, folders)
    save(refitted, artifacts)
    write_predictions(artifacts, predictions)
    learned = time.monotonic() - start  # the new predictions are there for every interface
    features = {rel: f for rel, (_, f, _) in cached.items()}
    write_similarity(settings, features, predictions, graph.searched)
    return len(labelled), len(predictions), learned


def _graph(settings: Settings, model: TrainedModel, cached: Cached) -> Graph:
    """The library's graph, as the retrain built it (its neighbour lists are reused)."""
    cache = Path(settings.artifacts_dir) / artifacts.NEIGHBOURS
    return library_graph({rel: f for rel, (_, f, _) in cached.items()}, model.content, cache)


def predict_missing(settings: Settings, videos: list[VideoRef]) -> int:
    """Predict the unsorted videos predictions.json lacks, with the current model and its
    calibration, and add them to the file; how many were added (0: none missing, or none
    with features). ``videos``: the job's scan; the unsorted videos alone are listed again
    (an undo may have brought one back since), not the whole library."""
    folder = Path(settings.artifacts_dir)
    current = PredictionStore(folder).snapshot()
    library = Library(settings)
    missing = [name for name in library.unsorted() if name not in current]
    model = load(folder) if missing else None
    if model is None:
        return 0
    scanned = {v.rel for v in videos}
    back = [VideoRef(n, library.root / n, None) for n in missing if n not in scanned]
    cached = cached_features(settings, [*videos, *back])
    if model.content:  # the model needs every video's embedding
        cached = {r: v for r, v in cached.items() if v[1].embedding is not None}
    names = sorted(n for n in missing if n in cached)
    if not names:
        return 0
    matrix = fuse([cached[n][1] for n in names], model.vocabulary, model.content,
                  [cached[n][2] for n in names], folder)  # fmt: skip
    folders = {rel: label for rel, (label, _, _) in cached.items() if label is not None}
    added = predict(model, names, matrix, _graph(settings, model, cached), folders)
    write_predictions(folder, {**current, **added})
    return len(added)
