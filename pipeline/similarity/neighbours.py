"""Nearest neighbours of content embeddings, blockwise in float32 (10,000 videos on 2 cores).

Embeddings are mean-centred (what the videos of this library share says nothing about which
of them look alike) and L2-normalised, so a dot product is a cosine similarity. The full
n x n similarity matrix is never held: rows are taken BLOCK at a time (BLOCK x n float32,
20 MB at n = 10,000) and only each row's K best neighbours are kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.npz import read_npz, write_npz

BLOCK = 512
#: the mean is shrunk towards zero by n / (n + CENTRING_PRIOR): with a handful of videos their
#: own mean is mostly the videos themselves (two centred vectors are exactly opposite)
CENTRING_PRIOR = 20


def centred(embeddings: np.ndarray) -> np.ndarray:
    """float32 rows, mean-centred (shrunk, see CENTRING_PRIOR) and L2-normalised."""
    x = np.asarray(embeddings, np.float32)
    if not len(x):
        return x.reshape(0, x.shape[-1] if x.ndim == 2 else 0)
    x = x - x.mean(0, dtype=np.float64).astype(np.float32) * (len(x) / (len(x) + CENTRING_PRIOR))
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))[:, None]  # np.linalg.norm took 4x as long
    out: np.ndarray = x / np.maximum(norms, 1e-12)
    return out


@dataclass
class Neighbours:
    """Row i's ``k`` most similar other rows (``index``, -1 where there are fewer) and their
    cosine similarities (``similarity``, -inf there), best first."""

    index: np.ndarray  # n x k int64
    similarity: np.ndarray  # n x k float32


def nearest(
    x: np.ndarray, k: int, floor: float = -1.0, among: np.ndarray | None = None
) -> Neighbours:
    """The ``k`` nearest of the rows ``among`` (default: all) for every row of ``x`` (itself
    excluded), those less similar than ``floor`` left out. ``x`` as made by ``centred``;
    ``among`` is sorted and made unique first.

    Blockwise: no n x n matrix is held, and only rows with more than k entries above
    ``floor`` are partially sorted (a projection on 128 principal directions was tried for
    the search: on synthetic clusters it lost a third of the copies, so the search is exact).
    """
    n = len(x)
    columns = np.arange(n) if among is None else np.unique(np.asarray(among, np.int64))
    index = np.full((n, k), -1, np.int64)
    similarity = np.full((n, k), -np.inf, np.float32)
    wide = min(k, len(columns))
    if not k or not n or not wide:
        return Neighbours(index, similarity)
    target = np.ascontiguousarray(x[columns].T)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        block = x[start:stop] @ target  # BLOCK x len(columns) float32
        rows = np.arange(start, stop)
        position = np.searchsorted(columns, rows)  # a row's own column, if it is one
        own = (position < len(columns)) & (columns[np.minimum(position, len(columns) - 1)] == rows)
        block[np.flatnonzero(own), position[own]] = -np.inf
        block[block < floor] = -np.inf
        picked = _candidates(block, wide)
        found = picked >= 0
        candidates = np.where(found, columns[np.maximum(picked, 0)], -1)
        scores = np.where(found, np.take_along_axis(block, np.maximum(picked, 0), 1), -np.inf)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        kept = order.shape[1]
        index[start:stop, :kept] = np.take_along_axis(candidates, order, 1)
        similarity[start:stop, :kept] = np.take_along_axis(scores, order, 1)
    index[~np.isfinite(similarity)] = -1
    return Neighbours(index, similarity)


def _candidates(block: np.ndarray, wide: int) -> np.ndarray:
    """Column positions of up to ``wide`` finite entries per row (-1 pads), the best ones
    where a row has more: a partial selection only on those rows."""
    picked = np.full((len(block), wide), -1, np.int64)
    finite = np.isfinite(block)
    busy = finite.sum(1) > wide
    if busy.any():
        picked[busy] = np.argpartition(-block[busy], wide - 1, axis=1)[:, :wide]
    calm = np.flatnonzero(~busy)
    r, c = np.nonzero(finite[calm])
    slot = np.arange(len(r)) - np.searchsorted(r, r)  # rank within its row
    picked[calm[r], slot] = c
    return picked


def restrict(nb: Neighbours, members: np.ndarray, k: int) -> Neighbours:
    """The neighbour lists of the rows ``members`` (sorted), keeping only neighbours that are
    members themselves, renumbered as positions in ``members``; at most ``k`` each."""
    position = np.full(len(nb.index) + 1, -1, np.int64)
    position[members] = np.arange(len(members))
    index = position[nb.index[members]]  # -1 (not a member, or none) maps to the pad slot
    similarity = np.where(index >= 0, nb.similarity[members], -np.inf).astype(np.float32)
    order = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    index = np.take_along_axis(index, order, 1)
    similarity = np.take_along_axis(similarity, order, 1)
    index[~np.isfinite(similarity)] = -1
    return Neighbours(index, similarity)


def above(nb: Neighbours, floor: float) -> Neighbours:
    """The same lists without the neighbours less similar than ``floor`` (as if they had
    not been looked for: ``nearest(x, k, floor)`` on the same rows)."""
    kept = nb.similarity >= floor
    return Neighbours(np.where(kept, nb.index, -1), np.where(kept, nb.similarity, -np.inf))


def cached_nearest(x: np.ndarray, k: int, floor: float, path: Path | None) -> Neighbours:
    """``nearest(x, k, floor)``, reused from ``path`` when it was computed for the same rows
    (a refit after sorts: the same embeddings, so the same neighbours). The file is read
    back as hostile input: anything odd about it means computing afresh."""
    digest = hashlib.blake2b(np.ascontiguousarray(x).tobytes(), digest_size=16)
    digest.update(f"{k}:{floor}".encode())
    fingerprint = digest.hexdigest()
    if path is not None:
        try:  # no bigger than the arrays wanted: a file declaring more is refused unread
            saved = read_npz(path, len(x) * k * (8 + 4) + 1024)
            index, similarity = saved["index"], saved["similarity"]
            if (str(saved["fingerprint"]) == fingerprint
                    and index.shape == similarity.shape == (len(x), k)
                    and index.dtype == np.int64 and similarity.dtype == np.float32
                    and ((index >= -1) & (index < len(x))).all()):  # fmt: skip
                return Neighbours(index, similarity)
        except (OSError, ValueError, KeyError):  # NpzError is a ValueError
            pass
    found = nearest(x, k, floor)
    if path is not None:
        write_npz(path, {"index": found.index, "similarity": found.similarity,
                         "fingerprint": np.array(fingerprint)}, compress=False)  # fmt: skip
    return found
