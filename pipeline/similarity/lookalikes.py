"""similarity.json from the cached embeddings: look-alike groups and order of the unsorted
videos, and near-duplicates across the root and the folders. Run at every retrain and refit.

Groups are tight clusters (average linkage on the cosine distance of mean-centred
embeddings, cut at GROUP_DISTANCE, at least MIN_GROUP videos): tight groups start a library
well, forced partitions (k-means) do not. To scale (10,000 videos on 2 cores) the linkage
runs per candidate neighbourhood: the graph of each video's GROUP_NEIGHBOURS nearest
neighbours closer than the cut splits into connected components, and a cluster of average
linkage never spans two of them (every cross pair is farther than the cut), so each
component is clustered alone -- O(m^2) for a component of m, never O(n^2) for the library.
A component larger than COMPONENT_LIMIT is split at a tighter cut first. The unsorted
videos no folder fits (``unplaced``: new_kind, or under UNPLACED for their likeliest folder,
or with no model at all) are grouped apart from the others and their groups are offered as
new folders (``new_kind``); the others' groups come with the folder most of them are
predicted into. The one neighbour
search is the costly part (O(n^2 d) multiply-adds, blockwise); its result is cached in
ARTIFACTS_DIR and reused while the embeddings are the same (every refit after sorts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.features.descriptor import VideoFeatures
from pipeline.similarity.near_duplicates import DUPLICATE_EMBEDDING, components, duplicate_pairs
from pipeline.similarity.neighbours import Neighbours, above, cached_nearest, centred, restrict
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

#: average-linkage cut on cosine distance: a group's mean pairwise similarity is >= 0.375
#: (tuned on real footage, bench.groups_quality: clips of one kind from different sources
#: are about 0.16 alike, of different kinds -0.04, copies from one source 0.8). A flat root
#: of 471 real clips of 10 kinds: at 0.65 purity 0.949 holding 0.711; at 0.625 0.957 holding
#: 0.690; at 0.6 0.962 holding 0.614, but roots of 40 clips then hold 0.30 (0.325 at 0.625)
#: and ../shared/realclips' 20 clips make one group (three at 0.625)
GROUP_DISTANCE = 0.625
#: the cut among the unsorted videos no folder fits (``unplaced``) when there are folders:
#: the videos that have one are not among them, so their look-alikes may be looser
#: (bench.open_set)
NEW_KIND_DISTANCE = 0.7
#: a video whose likeliest folder is less likely than this fits none well (``unplaced``)
UNPLACED = 0.3
MIN_GROUP = 5
GROUP_NEIGHBOURS = 16
#: neighbours found for every video (filed ones among them take places unsorted ones need)
ALL_NEIGHBOURS = 32
#: the look-alike order walks only to neighbours at least this similar
ORDER_FLOOR = 0.3
#: neighbours less similar than this are not looked for (the weakest edges of the open-set
#: graph, pipeline.model.open_set; groups, order and duplicates use only the closer ones)
SEARCH_FLOOR = 0.1
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


def _clusters(
    x: np.ndarray, nb: Neighbours, members: np.ndarray, cut: float, size: int, link: float
) -> list[np.ndarray]:
    """Average-linkage clusters (cut at ``link``) of at least ``size`` among ``members``,
    one candidate neighbourhood (component of edges closer than ``cut``) at a time."""
    out = []
    for part in _components(nb, members, cut):
        if len(part) < size:
            continue
        if len(part) > COMPONENT_LIMIT:
            out += _clusters(x, nb, part, cut - TIGHTEN, size, link) if cut > TIGHTEN else []
            continue
        labels = fcluster(linkage(x[part].astype(np.float64), "average", "cosine"), link,
                          "distance")  # fmt: skip
        out += [part[labels == c] for c in np.unique(labels) if (labels == c).sum() >= size]
    return out


def group_size(unsorted: int) -> int:
    """The fewest videos a group has: MIN_GROUP, fewer in a small root (40 videos of 8
    kinds have 5 of a kind at most, and 3 alike are worth a folder there)."""
    return max(3, min(MIN_GROUP, unsorted // 12))


def lookalike_groups(
    x: np.ndarray, everyone: Neighbours, parts: list[tuple[np.ndarray, float]], size: int
) -> list[tuple[np.ndarray, int]]:
    """(group, the part it is in): groups (rows of ``x``) within each part (rows, cut) --
    the unsorted videos no folder fits are grouped apart from the others, so a group offered
    as a new folder never holds videos that have one -- largest first."""
    clusters = []
    for number, (members, cut) in enumerate(parts):
        if len(members):
            nb = restrict(everyone, members, GROUP_NEIGHBOURS)
            found = _clusters(x[members], nb, np.arange(len(members)), cut, size, cut)
            clusters += [(members[c], number) for c in found]
    clusters.sort(key=lambda c: (-len(c[0]), -mean_similarity(x[c[0]]), int(c[0].min())))
    return clusters


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


def unplaced(prediction: Prediction | None) -> bool:
    """No folder fits the video well: the model marks it new_kind, its likeliest folder is
    less likely than UNPLACED, or it has no prediction (there is no model)."""
    return prediction is None or prediction.new_kind or prediction.confidence < UNPLACED


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


@dataclass
class LibraryNeighbours:
    """Every video's ALL_NEIGHBOURS nearest by content, searched once per job and shared by
    the look-alikes, the near-duplicates and the open-set confidence (pipeline.model.open_set)."""

    ids: list[str]  # by (file name, id): a sort changes an id, not its place
    x: np.ndarray  # the rows, mean-centred and L2-normalised
    everyone: Neighbours  # similarity >= SEARCH_FLOOR


def library_neighbours(vectors: Mapping[str, np.ndarray], cache: Path | None) -> LibraryNeighbours:
    """Nearest neighbours of ``vectors`` (by video id), reused from ``cache`` while the
    vectors are the same (a refit after sorts, or the stage after a retrain's training)."""
    ids = sorted(vectors, key=lambda i: (i.rsplit("/", 1)[-1], i))
    x = centred(np.stack([vectors[i] for i in ids])) if ids else np.zeros((0, 0), np.float32)
    return LibraryNeighbours(ids, x, cached_nearest(x, ALL_NEIGHBOURS, SEARCH_FLOOR, cache))


def compute(
    features: Mapping[str, VideoFeatures],
    predictions: Mapping[str, Prediction],
    cache: Path | None = None,
    searched: LibraryNeighbours | None = None,
) -> Similarity:
    """Similarity of a library: ``features`` by video id ("name" unsorted, "folder/name"
    filed); videos without an embedding take no part. ``cache``: where the neighbour lists
    are kept for the next run (a refit after sorts reuses them: same videos, same lists);
    ``searched``: the neighbours the job found already, used if they are of these videos.

    One neighbour search over all videos serves everything: groups and order use the
    neighbours that are unsorted, duplicates the closest of all.
    """
    embedded = {i: f.embedding for i, f in features.items() if f.embedding is not None}
    same = searched is not None and sorted(searched.ids) == sorted(embedded)
    found = searched if searched is not None and same else library_neighbours(embedded, cache)
    ids, x = found.ids, found.x
    closest = min(ORDER_FLOOR, 1.0 - max(GROUP_DISTANCE, NEW_KIND_DISTANCE), DUPLICATE_EMBEDDING)
    everyone = above(found.everyone, closest)
    unsorted = np.array([k for k, i in enumerate(ids) if "/" not in i], np.int64)
    homeless = np.array([unplaced(predictions.get(ids[k])) for k in unsorted], bool)
    cut = NEW_KIND_DISTANCE if not homeless.all() else GROUP_DISTANCE  # all: no model
    parts = [(unsorted[homeless], cut), (unsorted[~homeless], GROUP_DISTANCE)]
    clusters = lookalike_groups(x, everyone, parts, group_size(len(unsorted)))
    where = {int(k): i for i, k in enumerate(unsorted)}
    nb = restrict(everyone, unsorted, GROUP_NEIGHBOURS)
    names = [ids[k] for k in unsorted]
    walks = [[where[k] for k in _chain(x, sorted(int(i) for i in c))] for c, _ in clusters]
    groups = []
    for (cluster, part), walk in zip(clusters, walks, strict=True):
        members = [names[i] for i in walk]
        new = part == 0  # offered as a new folder
        folder = None if new else suggested_folder(members, predictions)
        groups.append(LookalikeGroup(tuple(members), folder, mean_similarity(x[cluster]), new))
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
    settings: Settings,
    features: Mapping[str, VideoFeatures],
    predictions: Mapping[str, Prediction],
    searched: LibraryNeighbours | None = None,
) -> Similarity:
    """Compute and atomically write similarity.json for the library of ``settings``."""
    cache = Path(settings.artifacts_dir) / artifacts.NEIGHBOURS
    result = compute(features, predictions, cache, searched)
    write_similarity(Path(settings.artifacts_dir), result)
    return result
