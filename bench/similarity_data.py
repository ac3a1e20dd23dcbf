"""Synthetic features for the similarity benchmarks: clustered content embeddings (1280 floats,
non-negative like pooled ReLU6 activations) and perceptual signatures, some videos copies of
others (the same signature with a few bits flipped, a nearby embedding)."""

from __future__ import annotations

import numpy as np

from pipeline.features.descriptor import VideoFeatures
from pipeline.features.embedder import EMBEDDING_WIDTH
from pipeline.features.signature import WORDS


def synthetic_features(
    unsorted: int, filed: int, clusters: int = 40, copies: float = 0.02, seed: int = 0
) -> dict[str, VideoFeatures]:
    """Video id ("name" or "folderK/name") -> features with an embedding and a signature."""
    rng = np.random.default_rng(seed)
    centres = np.abs(rng.normal(0, 1, (clusters, EMBEDDING_WIDTH))).astype(np.float32)
    total = unsorted + filed
    label = rng.integers(0, clusters, total)
    spread = rng.uniform(0.3, 1.6, clusters)[label, None].astype(np.float32)
    noise = rng.normal(0, 1, (total, EMBEDDING_WIDTH)).astype(np.float32)
    embeddings = np.abs(centres[label] + spread * noise)
    words = rng.integers(0, 2**63, (total, 8, WORDS), dtype=np.int64).astype(np.uint64)
    durations = rng.uniform(2, 30, total)
    for i in rng.choice(total, int(total * copies), replace=False):  # copies of random others
        j = int(rng.integers(0, total))
        embeddings[i] = embeddings[j] + rng.normal(0, 0.2, EMBEDDING_WIDTH).astype(np.float32)
        flips = rng.integers(0, 64, (8, WORDS)).astype(np.uint64)
        words[i] = words[j] ^ (np.uint64(1) << flips)
        durations[i] = durations[j]
    out: dict[str, VideoFeatures] = {}
    glob, local = np.zeros(1, np.float32), np.zeros((0, 8), np.float16)
    for i in range(total):
        name = f"{7000000000000000 + i}.mp4"
        rel = name if i < unsorted else f"folder{label[i] % 10}/{name}"
        head = np.array([round(durations[i] * 1000), 8], np.uint64)
        signature = np.concatenate([head, words[i].ravel()])
        out[rel] = VideoFeatures(glob, local, embeddings[i], signature)
    return out
