"""Near-duplicates: the same content, re-encoded, resized, trimmed, letterboxed or mirrored.

Two signals must agree. The content embeddings (mean-centred cosine) of two copies are
close, but so are those of two clips of one sport; the perceptual signatures
(``pipeline.features.signature``) of two copies are close, but so are two dark or plain clips. Only
pairs close in both -- and of compatible durations -- are copies. Measured on copies made
from ../shared/realclips (``python -m bench.duplicates_quality``): copies scored >= 0.59 in
embedding and <= 0.20 in pictures (the letterboxed ones lowest, the trimmed ones highest);
other clips as close as 0.63 in embedding were >= 0.45 apart in pictures, and those as close
as 0.09 in pictures were <= 0.0 in embedding. The defaults sit between.

Clips of one kind that share a picture layout (the demo's procedural scenes; plain or dark
clips) also pass both: on the demo library 18 of 30 unsorted videos were flagged, in groups
of up to 17. So a copy must also stand out: its picture distance at most DISTINCT_RATIO of
the video's typical distance to its content neighbours (CLOSE_RATIO where the contents agree
within CLOSE_CONTENT). On the same copies of real clips: precision 1.000 and recall 0.972
unchanged; on the demo library 4 of 28 unsorted videos flagged (the copies made for the
trial among them). With the bars cut once per video before the embedding and the signature
(``pipeline.features.framing``), the letterboxed copies it missed are found too, with the Lite2
embedding as with Lite0: precision 1.000, recall 1.000 over 176 pairs (with ``--watermark``,
198 pairs: 1.000, 1.000).
"""

from __future__ import annotations

import numpy as np

from pipeline.features.signature import BITS, WORDS, unpack
from pipeline.similarity.neighbours import Neighbours

#: mean-centred cosine of the content embeddings at least this
DUPLICATE_EMBEDDING = 0.45
#: share of picture bits differing (nearest frame, both ways) at most this
DUPLICATE_PICTURE = 0.25
#: copies a video can have that are found (its nearest neighbours by content)
DUPLICATE_NEIGHBOURS = 8
#: a copy stands out: its picture distance is at most this share of the video's typical
#: distance to its nearest neighbours by content (a ratio test, as in SIFT matching) ...
DISTINCT_RATIO = 0.3
#: ... or, where the contents agree this closely, at most this share
CLOSE_CONTENT, CLOSE_RATIO = 0.9, 0.7
#: the picture distance of unrelated videos (half their hash bits differ), for neighbours
#: too far in content to be listed
UNRELATED_PICTURE = 0.5
#: durations within this many seconds, or this share of the longer (a trimmed copy)
DURATION_SLACK, DURATION_SHARE = 1.0, 0.2
PAIR_CHUNK = 20_000
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def frame_table(signatures: list[np.ndarray | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n x F x WORDS words, n x F valid-frame mask, n durations in s) of the signatures
    (None: no frames, never a copy)."""
    unpacked = [unpack(s) if s is not None else (0.0, np.zeros((0, WORDS), np.uint64))
                for s in signatures]  # fmt: skip
    frames = max((len(w) for _, w in unpacked), default=0)
    words = np.zeros((len(unpacked), max(frames, 1), WORDS), np.uint64)
    valid = np.zeros((len(unpacked), max(frames, 1)), bool)
    for i, (_, w) in enumerate(unpacked):
        words[i, : len(w)], valid[i, : len(w)] = w, True
    return words, valid, np.array([d for d, _ in unpacked], np.float64)


def picture_distances(
    table: tuple[np.ndarray, np.ndarray, np.ndarray], a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """For pairs (a[i], b[i]): the mean over frames, both ways, of the share of bits that
    differ from the other video's nearest frame (1.0 where either has no frames)."""
    words, valid, _ = table
    out = np.ones(len(a), np.float64)
    for start in range(0, len(a), PAIR_CHUNK):
        ia, ib = a[start : start + PAIR_CHUNK], b[start : start + PAIR_CHUNK]
        xor = words[ia][:, :, None, :] ^ words[ib][:, None, :, :]  # P x F x F x WORDS
        bits = _POPCOUNT[xor.view(np.uint8)].reshape(*xor.shape[:3], -1).sum(-1, dtype=np.int32)
        va, vb = valid[ia], valid[ib]
        bits = np.where(va[:, :, None] & vb[:, None, :], bits, BITS + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            a_to_b = np.where(va, bits.min(2), 0).sum(1) / va.sum(1)
            b_to_a = np.where(vb, bits.min(1), 0).sum(1) / vb.sum(1)
        both = va.any(1) & vb.any(1)
        out[start : start + PAIR_CHUNK] = np.where(both, (a_to_b + b_to_a) / 2 / BITS, 1.0)
    return out


def durations_match(durations: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Durations close enough for one video to be a (trimmed) copy of the other."""
    da, db = durations[a], durations[b]
    close: np.ndarray = np.abs(da - db) <= np.maximum(
        DURATION_SLACK, DURATION_SHARE * np.maximum(da, db)
    )
    return close


def duplicate_pairs(
    nb: Neighbours, signatures: list[np.ndarray | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, picture similarity) of the pairs that are copies: among each video's
    DUPLICATE_NEIGHBOURS nearest by content (``nb``, best first, over all videos), close
    enough in content, in pictures and in duration -- and closer in pictures than the
    video's look-alikes are to it (procedural or plain scenes of one kind share a hash
    layout; a copy is much closer than they are)."""
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if len(nb.index) < 2:
        return none
    n, k = len(nb.index), min(DUPLICATE_NEIGHBOURS, nb.index.shape[1])
    rows = np.repeat(np.arange(n), k)
    cols, sims = nb.index[:, :k].ravel(), nb.similarity[:, :k].ravel()
    listed = cols >= 0
    table = frame_table(signatures)
    # One picture distance per listed neighbour serves both: each video's typical distance
    # to its look-alikes (neighbours too far in content to be listed count as unrelated),
    # and the candidate pairs' own distances (picture_distances is symmetric).
    distances = np.full(n * k, UNRELATED_PICTURE)
    distances[listed] = picture_distances(table, rows[listed], cols[listed])
    typical = np.median(distances.reshape(n, k), axis=1)
    keep = listed & (sims >= DUPLICATE_EMBEDDING)
    ordered = np.sort(np.stack([rows[keep], cols[keep]], 1), axis=1)
    pairs, first = np.unique(ordered, axis=0, return_index=True)
    if not len(pairs):
        return none
    a, b = pairs[:, 0], pairs[:, 1]
    content, distance = sims[keep][first], distances[keep][first]
    timed = durations_match(table[2], a, b)
    a, b, content, distance = a[timed], b[timed], content[timed], distance[timed]
    ratio = distance / np.maximum(np.minimum(typical[a], typical[b]), 1e-6)
    stands_out = (ratio <= DISTINCT_RATIO) | ((content >= CLOSE_CONTENT) & (ratio <= CLOSE_RATIO))
    copies = (distance <= DUPLICATE_PICTURE) & stands_out
    return a[copies], b[copies], 1.0 - distance[copies]


def components(n: int, a: np.ndarray, b: np.ndarray) -> list[list[int]]:
    """Groups of two or more linked by the pairs (union-find), each sorted, in order of
    their first member."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return [g for _, g in sorted(groups.items()) if len(g) >= 2]
