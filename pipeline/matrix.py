"""Fused [global | Fisher vector (| embedding)] rows, Fisher vectors cached per vocabulary.

Encoding is the costly part of a refit (about 1 ms a video); a full retrain stores every
video's encoding, so a refit after sorts only encodes what it has never seen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.cache import FeatureCache, Key
from pipeline.encoding import ColourVocabulary, encode_all, vocabulary_id
from pipeline.extract_features import CACHE_FILE, _key
from pipeline.features import VideoFeatures
from pipeline.model import with_content


def keys_for(paths: list[Path]) -> list[Key | None]:
    keys = [_key(p) for p in paths]
    return [k if not isinstance(k, str) else None for k in keys]


def fused(features: list[VideoFeatures], keys: list[Key | None], vocabulary: ColourVocabulary,
          artifacts_dir: Path, content: bool = False) -> np.ndarray:  # fmt: skip
    """[global | Fisher (| embedding)] rows, as ``pipeline.model.fuse`` makes them."""
    if not features:
        return np.zeros((0, 0), np.float32)
    vocab = vocabulary_id(vocabulary)
    cache = FeatureCache(Path(artifacts_dir) / CACHE_FILE)
    try:
        known = cache.encoded([k for k in keys if k is not None], vocab)
        missing = [i for i, k in enumerate(keys) if k is None or k not in known]
        fresh = encode_all([features[i].local for i in missing], vocabulary)
        cache.store_encoded(
            [(keys[i], v) for i, v in zip(missing, fresh, strict=True) if keys[i] is not None],
            vocab,
        )
    finally:
        cache.close()
    fisher = np.zeros((len(features), vocabulary.dimension), np.float32)
    for i, k in enumerate(keys):
        if k is not None and k in known:
            fisher[i] = known[k]
    if missing:
        fisher[missing] = fresh
    return with_content(np.hstack([np.stack([f.global_ for f in features]), fisher]), features,
                        content)  # fmt: skip
