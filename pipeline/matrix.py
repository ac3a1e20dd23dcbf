"""Fused [global | Fisher vector (| embedding)] rows, Fisher vectors cached per vocabulary.

Encoding is the costly part of a refit (about 1 ms a video); a full retrain stores every
video's encoding, so a refit after sorts only encodes what it has never seen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.cache import FeatureCache, Key, key_of
from pipeline.encoding import ColourVocabulary, encode_all, vocabulary_id
from pipeline.features import VideoFeatures
from pipeline.model import with_content
from vidsort_tui.core import artifacts


def keys_for(paths: list[Path]) -> list[Key | None]:
    keys = [key_of(p) for p in paths]
    return [k if not isinstance(k, str) else None for k in keys]


def fused(features: list[VideoFeatures], keys: list[Key | None], vocabulary: ColourVocabulary,
          artifacts_dir: Path, content: bool = False) -> np.ndarray:  # fmt: skip
    """[global | Fisher (| embedding)] rows, as ``pipeline.model.fuse`` makes them.

    Features read without their local descriptors (``FeatureCache.lookup(local=False)``)
    have them fetched here, only for the videos never encoded with this vocabulary.
    """
    if not features:
        return np.zeros((0, 0), np.float32)
    vocab = vocabulary_id(vocabulary)
    cache = FeatureCache(Path(artifacts_dir) / artifacts.FEATURES)
    try:
        known = cache.encoded([k for k in keys if k is not None], vocab)
        missing = [i for i, k in enumerate(keys) if k is None or k not in known]
        unread = {keys[i] for i in missing if keys[i] is not None and not features[i].local.size}
        locals_ = cache.locals(unread) if unread else {}
        fresh = encode_all([locals_.get(keys[i], features[i].local) for i in missing], vocabulary)  # type: ignore[arg-type]
        cache.store_encoded(
            [(keys[i], v) for i, v in zip(missing, fresh, strict=True) if keys[i] is not None],
            vocab,
        )
    finally:
        cache.close()
    if content and any(f.embedding is None for f in features):
        with_content(np.zeros((len(features), 0)), features, content)  # raises, saying why
    g, d = features[0].global_.shape[0], vocabulary.dimension
    width = g + d + (features[0].embedding.shape[0] if content else 0)  # type: ignore[union-attr]
    out = np.empty((len(features), width), np.float32)  # filled in place: 10,000 rows are ~100 MB
    for i, (f, k) in enumerate(zip(features, keys, strict=True)):
        out[i, :g] = f.global_
        if k is not None and k in known:
            out[i, g : g + d] = known[k]
        if content:
            out[i, g + d :] = f.embedding
    if missing:
        out[missing, g : g + d] = fresh
    return out
