"""The fast path after sorts: refit the chosen model on cached features, no decoding.

Sorting renames a file, which keeps its cache key, so every sorted video already has
features; only the classifier is fitted again (the colour vocabulary stays), then the
unsorted videos are predicted again.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from pipeline.cache import FeatureCache
from pipeline.extract_features import CACHE_FILE, _key
from pipeline.features import VideoFeatures
from pipeline.model import load, save
from pipeline.predict import predict
from pipeline.stage import library_videos
from pipeline.train import learnable
from vidsort_tui.core.predictions import write_predictions


def cached_features(settings) -> tuple[dict[str, tuple[str | None, VideoFeatures]], int]:  # type: ignore[no-untyped-def]
    """video id -> (label, features) for every video already in the cache; and the total."""
    videos = library_videos(settings)
    keys = {v.rel: _key(v.path) for v in videos}
    cache = FeatureCache(Path(settings.artifacts_dir) / CACHE_FILE)
    try:
        known = cache.lookup(k for k in keys.values() if not isinstance(k, str))
    finally:
        cache.close()
    out = {}
    for v in videos:
        value = known.get(keys[v.rel]) if not isinstance(keys[v.rel], str) else None
        if isinstance(value, VideoFeatures):
            out[v.rel] = (v.label, value)
    return out, len(videos)


def refit(settings) -> tuple[int, int, float] | None:  # type: ignore[no-untyped-def]
    """(labelled videos used, unsorted videos predicted, seconds), or None if not possible."""
    start = time.monotonic()
    artifacts = Path(settings.artifacts_dir)
    model = load(artifacts)
    if model is None:
        return None
    features, _total = cached_features(settings)
    labelled = [(label, f) for label, f in features.values() if label is not None]
    classes, _ = learnable([label for label, _ in labelled])
    if len(classes) < 2:
        return None
    labelled = [(label, f) for label, f in labelled if label in classes]
    y = np.array([label for label, _ in labelled])
    if min(np.unique(y, return_counts=True)[1]) < 2:
        return None
    x = model.matrix([f for _, f in labelled])
    refitted = model.refitted(x, y)
    unsorted = {rel: f for rel, (label, f) in features.items() if label is None}
    predictions = predict(refitted, unsorted)
    save(refitted, artifacts)
    write_predictions(artifacts, predictions)
    return len(labelled), len(predictions), time.monotonic() - start
