"""similarity.json from the cached embeddings: look-alike groups and order of the unsorted
videos, and near-duplicates across the root and the folders. Run at every retrain and refit.

Groups are tight clusters (average linkage on the cosine distance of mean-centred
embeddings, cut at GROUP_DISTANCE, at least MIN_GROUP videos): tight groups start a library
well, forced partitions (k-means) do not. To scale (10,000 videos on 2 cores) the linkage
runs per candidate neighbourhood: the graph of each video's GROUP_NEIGHBOURS nearest
neighbours closer than the cut splits into connected components, and a cluster of average
linkage never spans two of them (every cross pair is farther than the cut), so each
component is clustered alone -- O(m^2) for a component of m, never O(n^2) for the library.
A component larger than COMPONENT_LIMIT is split at a tighter cut first. The one neighbour
search is the costly part (O(n^2 d) multiply-adds, blockwise); its result is cached in
ARTIFACTS_DIR and reused while the embeddings are the same (every refit after sorts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.duplicates import DUPLICATE_EMBEDDING, components, duplicate_pairs
from pipeline.features import VideoFeatures
from pipeline.neighbours import Neighbours, cached_nearest, centred, restrict
from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings
from vidsort_tui.core.names import RESERVED_FOLDERS
from vidsort_tui.core.predictions import Prediction
from vidsort_tui.core.similarity_file import (
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    write_similarity,
)

#: average-linkage cut on cosine distance: a group's mean pairwise similarity is >= 0.6
GROUP_DISTANCE = 0.4
MIN_GROUP = 5
GROUP_NEIGHBOURS = 16
#: neighbours found for every video (filed ones among them take places unsorted ones need)
ALL_NEIGHBOURS = 32
#: neighbours less similar than this are not looked for (the order walks only to these)
ORDER_FLOOR = 0.3
COMPONENT_LIMIT = 2000
#: how much tighter the cut gets each time a component is too large to cluster at once
TIGHTEN = 0.05


def _components(nb: Neighbours, members: np.ndarray, cut: float) -> list[np.ndarray]:
    """Connected components of ``members`` linked by neighbour edges closer than ``cut``."""
    where = {int(m): i for i, m in enumerate(members)}
    rows, cols = [], []
    for i, m in enumerate(members):
        for j, s in zip(nb.index[m], nb.similarity[m], strict=True):
            if j >= 0 and 1.0 - s <= cut and int(j) in where:
                rows.append(i)
                cols.append(where[int(j)])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(members),) * 2)
    count, labels = connected_components(graph, directed=False)
    return [members[labels == c] for c in range(count)]


def _clusters(x: np.ndarray, nb: Neighbours, members: np.ndarray, cut: float) -> list[np.ndarray]:
    out = []
    for part in _components(nb, members, cut):
        if len(part) < MIN_GROUP:
            continue
        if len(part) > COMPONENT_LIMIT:
            out += _clusters(x, nb, part, cut - TIGHTEN) if cut > TIGHTEN else []
            continue
        labels = fcluster(linkage(x[part].astype(np.float64), "average", "cosine"),
                          GROUP_DISTANCE, "distance")  # fmt: skip
        out += [part[labels == c] for c in np.unique(labels) if (labels == c).sum() >= MIN_GROUP]
    return out


def mean_similarity(rows: np.ndarray) -> float:
    """Mean pairwise cosine of L2-normalised rows, clipped to [0, 1]."""
    m = len(rows)
    total = rows.sum(0, dtype=np.float64)
    value = (float(total @ total) - m) / (m * (m - 1)) if m > 1 else 1.0
    return round(min(max(value, 0.0), 1.0), 4)


def suggested_folder(names: list[str], predictions: Mapping[str, Prediction]) -> str | None:
    """The folder the model predicts for more than half of the group, if any."""
    votes = Counter(
        p.predicted_folder
        for n in names
        if (p := predictions.get(n)) is not None and p.predicted_folder not in RESERVED_FOLDERS
    )
    votes.pop(None, None)
    if votes:
        folder, count = votes.most_common(1)[0]
        if count * 2 > len(names):
            return folder
    return None


def _chain(x: np.ndarray, members: list[int]) -> list[int]:
    """Members in a walk from each to its most similar not yet visited (a small group)."""
    sims = x[members] @ x[members].T
    visited = np.zeros(len(members), bool)
    visited[0] = True
    order = [0]
    for _ in range(len(members) - 1):
        nxt = int(np.argmax(np.where(visited, -np.inf, sims[order[-1]])))
        visited[nxt] = True
        order.append(nxt)
    return [members[i] for i in order]


def lookalike_order(nb: Neighbours, walks: list[list[int]]) -> list[int]:
    """The groups' walks first; then the rest, walked from each video to its nearest
    unvisited neighbour (a new start, in file order, when none is left)."""
    visited = np.zeros(len(nb.index), bool)
    order: list[int] = []
    for walk in walks:
        order += walk
        visited[walk] = True
    for start in range(len(nb.index)):
        current = start
        while not visited[current]:
            visited[current] = True
            order.append(current)
            nxt = [int(j) for j in nb.index[current] if j >= 0 and not visited[j]]
            if nxt:
                current = nxt[0]
    return order


def compute(
    features: Mapping[str, VideoFeatures],
    predictions: Mapping[str, Prediction],
    cache: Path | None = None,
) -> Similarity:
    """Similarity of a library: ``features`` by video id ("name" unsorted, "folder/name"
    filed); videos without an embedding take no part. ``cache``: where the neighbour lists
    are kept for the next run (a refit after sorts reuses them: same videos, same lists).

    One neighbour search over all videos serves everything: groups and order use the
    neighbours that are unsorted, duplicates the closest of all.
    """
    embedded = {i: f.embedding for i, f in features.items() if f.embedding is not None}
    ids = sorted(embedded, key=lambda i: (i.rsplit("/", 1)[-1], i))  # a sort keeps the order
    x = centred(np.stack([embedded[i] for i in ids])) if ids else np.zeros((0, 0), np.float32)
    floor = min(ORDER_FLOOR, 1.0 - GROUP_DISTANCE, DUPLICATE_EMBEDDING)
    everyone = cached_nearest(x, ALL_NEIGHBOURS, floor, cache)
    unsorted = np.array([k for k, i in enumerate(ids) if "/" not in i], np.int64)
    xu = x[unsorted] if len(unsorted) else np.zeros((0, x.shape[1] if x.ndim == 2 else 0))
    nb = restrict(everyone, unsorted, GROUP_NEIGHBOURS)
    clusters = _clusters(xu, nb, np.arange(len(xu)), GROUP_DISTANCE) if len(xu) else []
    clusters.sort(key=lambda c: (-len(c), -mean_similarity(xu[c]), int(c.min())))
    names = [ids[k] for k in unsorted]
    groups, walks = [], [_chain(xu, sorted(int(i) for i in c)) for c in clusters]
    for cluster, walk in zip(clusters, walks, strict=True):
        members = [names[i] for i in walk]
        groups.append(LookalikeGroup(tuple(members), suggested_folder(members, predictions),
                                     mean_similarity(xu[cluster])))  # fmt: skip
    order = tuple(names[i] for i in lookalike_order(nb, walks))
    a, b, score = duplicate_pairs(everyone, [features[i].signature for i in ids])
    duplicates = []
    for component in components(len(ids), a, b):
        inside = np.isin(a, component)
        copies = tuple(Copy(*reversed(ids[i].split("/"))) if "/" in ids[i] else Copy(ids[i], None)
                       for i in component)  # fmt: skip
        duplicates.append(DuplicateGroup(copies, round(float(score[inside].mean()), 4)))
    return Similarity(order, tuple(groups), tuple(duplicates))


def run(
    settings: Settings, features: Mapping[str, VideoFeatures], predictions: Mapping[str, Prediction]
) -> Similarity:
    """Compute and atomically write similarity.json for the library of ``settings``."""
    cache = Path(settings.artifacts_dir) / artifacts.NEIGHBOURS
    result = compute(features, predictions, cache)
    write_similarity(Path(settings.artifacts_dir), result)
    return result
