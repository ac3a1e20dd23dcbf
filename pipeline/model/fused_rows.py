"""Fused rows [global descriptor | Fisher vector | content embedding]: the one function that
builds them and the one place that knows where each part starts.

Encoding the Fisher vectors is the costly part of a refit (about 1 ms a video). Given the
videos' cache keys and the artifacts folder, encodings are kept in features.sqlite per
vocabulary: a full retrain stores every video's, so a refit after sorts only encodes what it
has never seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.features.cache import FeatureCache, Key, key_of
from pipeline.features.descriptor import VideoFeatures
from pipeline.features.fisher_vectors import ColourVocabulary, encode_all, vocabulary_id
from vidsort_tui.core import artifacts


@dataclass(frozen=True)
class Layout:
    """The widths of a fused row's parts, and where each starts, as the classifiers are told."""

    global_width: int
    fisher_width: int
    content_width: int = 0  # 0: the rows end with the Fisher vector

    @property
    def fisher_start(self) -> int:
        return self.global_width

    @property
    def content_start(self) -> int:
        """The first embedding column, or 0 when rows have none (the classifiers' convention)."""
        return self.global_width + self.fisher_width if self.content_width else 0

    @property
    def width(self) -> int:
        return self.global_width + self.fisher_width + self.content_width


def layout(features: list[VideoFeatures], vocabulary: ColourVocabulary, content: bool) -> Layout:
    """The layout of ``fuse(features, vocabulary, content)`` (``features`` not empty)."""
    first = features[0]
    width = first.embedding.shape[0] if content and first.embedding is not None else 0
    return Layout(first.global_.shape[0], vocabulary.dimension, width)


def keys_for(paths: list[Path]) -> list[Key | None]:
    """Each file's cache key, None for a file that cannot be stat'ed (never cached)."""
    keys = [key_of(p) for p in paths]
    return [k if not isinstance(k, str) else None for k in keys]


def fuse(
    features: list[VideoFeatures],
    vocabulary: ColourVocabulary,
    content: bool = False,
    keys: list[Key | None] | None = None,
    artifacts_dir: Path | None = None,
) -> np.ndarray:
    """[global | Fisher (| embedding)] float32 rows; with ``content`` every video needs an
    embedding (ValueError otherwise).

    With ``keys`` (one per video, None where there is none) and ``artifacts_dir``, Fisher
    vectors come from the cache where they were made with this vocabulary, and new ones are
    stored there; features read without their local descriptors
    (``FeatureCache.lookup(local=False)``) have them fetched, for the videos never encoded.
    Without, every video is encoded here.
    """
    if not features:
        return np.zeros((0, 0), np.float32)
    missing = sum(f.embedding is None for f in features) if content else 0
    if missing:
        raise ValueError(f"{missing} videos have no content embedding")
    parts = layout(features, vocabulary, content)
    g, d = parts.global_width, parts.fisher_width
    out = np.empty((len(features), parts.width), np.float32)  # filled in place: 10,000 rows
    for i, f in enumerate(features):  # are ~100 MB, and no part is copied whole first
        out[i, :g] = f.global_
        if content:
            out[i, g + d :] = f.embedding
    if keys is None or artifacts_dir is None:
        out[:, g : g + d] = encode_all([f.local for f in features], vocabulary)
    else:
        _encode_cached(out[:, g : g + d], features, keys, vocabulary, Path(artifacts_dir))
    return out


def _encode_cached(
    fisher: np.ndarray,
    features: list[VideoFeatures],
    keys: list[Key | None],
    vocabulary: ColourVocabulary,
    artifacts_dir: Path,
) -> None:
    """Fill ``fisher`` (a view of the fused rows) from the cache, encoding what is not in it."""
    vocab = vocabulary_id(vocabulary)
    cache = FeatureCache(artifacts_dir / artifacts.FEATURES)
    try:
        known = cache.encoded([k for k in keys if k is not None], vocab, vocabulary.dimension)
        missing = [i for i, k in enumerate(keys) if k is None or k not in known]
        unread = {k for i in missing if (k := keys[i]) is not None and not features[i].local.size}
        locals_ = cache.locals(unread) if unread else {}
        fresh = encode_all([_local(locals_, keys[i], features[i]) for i in missing], vocabulary)
        cache.store_encoded(
            [(k, v) for i, v in zip(missing, fresh, strict=True) if (k := keys[i]) is not None],
            vocab,
        )
    finally:
        cache.close()
    for i, k in enumerate(keys):
        if k is not None and k in known:
            fisher[i] = known[k]
    if missing:
        fisher[missing] = fresh


def _local(read: dict[Key, np.ndarray], key: Key | None, features: VideoFeatures) -> np.ndarray:
    """The video's local descriptors: as read from the cache, or as the features carry them."""
    return read.get(key, features.local) if key is not None else features.local
