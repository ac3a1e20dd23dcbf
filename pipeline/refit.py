"""The fast path after sorts: refit the chosen model on cached features, no decoding.

Sorting renames a file, which keeps its cache key, so every sorted video already has
features and (since the last full retrain) its Fisher encoding; only the classifier is
fitted again, without the calibration folds (the full retrain recalibrates), the unsorted
videos are predicted again, and similarity.json (groups, order, duplicates) is rewritten.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from pipeline.cache import FeatureCache, Key
from pipeline.extract_features import _key
from pipeline.features import VideoFeatures
from pipeline.matrix import fused
from pipeline.model import load, save
from pipeline.predict import predict
from pipeline.similarity import run as write_similarity
from pipeline.stage import library_videos
from pipeline.train import learnable
from vidsort_tui.core import artifacts
from vidsort_tui.core.predictions import write_predictions

Cached = dict[str, tuple[str | None, VideoFeatures, Key]]


def cached_features(settings) -> Cached:  # type: ignore[no-untyped-def]
    """video id -> (label, features, cache key) for every video already in the cache."""
    videos = library_videos(settings)
    keys = {v.rel: _key(v.path) for v in videos if not v.problem}
    cache = FeatureCache(Path(settings.artifacts_dir) / artifacts.FEATURES)
    try:
        known = cache.lookup((k for k in keys.values() if not isinstance(k, str)), local=False)
    finally:
        cache.close()
    out: Cached = {}
    for v in videos:
        key = keys.get(v.rel)
        value = known.get(key) if key is not None and not isinstance(key, str) else None
        if isinstance(value, VideoFeatures):
            out[v.rel] = (v.label, value, key)  # type: ignore[assignment]
    return out


def refit(settings) -> tuple[int, int, float] | None:  # type: ignore[no-untyped-def]
    """(labelled videos used, unsorted videos predicted, seconds), or None if not possible."""
    start = time.monotonic()
    artifacts = Path(settings.artifacts_dir)
    model = load(artifacts)
    if model is None:
        return None
    cached = cached_features(settings)
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
    both = fused([f for f, _ in rows], [k for _, k in rows], model.vocabulary, artifacts,
                 model.content)  # fmt: skip
    refitted = model.refitted(both[: len(labelled)], y)
    matrix = both[len(labelled) :]
    predictions = predict(refitted, {n: unsorted[n][0] for n in names}, matrix)
    save(refitted, artifacts)
    write_predictions(artifacts, predictions)
    write_similarity(settings, {rel: f for rel, (_, f, _) in cached.items()}, predictions)
    return len(labelled), len(predictions), time.monotonic() - start
