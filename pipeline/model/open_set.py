"""Confidence in an open world: how likely the predicted folder is right when the video may be
of a kind that has no folder yet -- and how likely it is that no folder fits.

A classifier only ever chooses among the folders it knows, and is as sure of a clip of a new
kind as of any other (a gymnastics clip showed "basketball 99.9%"). Whether a folder fits is
judged apart, from where the video sits among all the library's videos (``Graph``: each
video's nearest neighbours by content, unsorted ones included):

- ``nearest``: the similarity to the closest filed example of the predicted folder;
- ``share``: the part of the predicted folder in what reaches the video when every filed
  video spreads its folder over the graph and every unsorted one spreads "unknown" (label
  propagation). A clip of a new kind sits among unsorted look-alikes of its own kind, so
  "unknown" reaches it more than any folder, however close one folder's nearest example is.

Both are calibrated on the user's own library, in views where the answer is known: folds of
the filed videos (each predicted from the others: right or wrong), and each group of folders
held out in turn (its videos predicted among the other folders: always wrong, a kind with no
folder). The confidence is the least of what each of the two says (``OpenSetCalibration``):
one cannot vouch for the other -- a clip of a new kind close to one example of a folder must
still be reached mostly by that folder. New kinds are weighted NEW_KIND_WEIGHT times the
known ones while fitting (the root may hold many clips of kinds without a folder), and the
result is softened further if held-out predictions at or above the accept threshold were not
right SAFE_ACCURACY of the time. A second model says how likely it is that no folder fits.

A retrain, a refit and ``predict_missing`` all build the graph the same way and use the same
calibration code: the views need no classifier (the spread predicts them), so a refit
recalibrates on the current folders in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, diags
from sklearn.model_selection import StratifiedKFold

from pipeline.features.descriptor import VideoFeatures
from pipeline.model.temperature import SAFE_ACCURACY, THRESHOLD
from pipeline.similarity.lookalikes import SEARCH_FLOOR, LibraryNeighbours, library_neighbours
from pipeline.similarity.neighbours import Neighbours

#: each video's graph edges: its closest this many neighbours, weighted similarity**EDGE_POWER
GRAPH_NEIGHBOURS = 10
EDGE_POWER = 6
#: how much of what reaches a video comes from its neighbours (the rest is its own label)
SPREAD = 0.6
SPREAD_STEPS = 10  # 0.6**10: what is left to spread is under 1%
FOLDS = 5
HELD_OUT_GROUPS = 8
#: while fitting, a held-out (new-kind) prediction counts this many times a known one
NEW_KIND_WEIGHT = 4.0
#: fewer confident held-out predictions than this prove nothing, however many are right:
#: then none may be confident (a small library cannot vouch for 80%)
MIN_EVIDENCE = 10
FEATURES = ("nearest", "share")


@dataclass
class Graph:
    """The library's videos (``ids``, by position) and their nearest neighbours by content,
    mean-centred cosine similarity, best first
    (``pipeline.similarity.lookalikes.library_neighbours``)."""

    ids: list[str]
    neighbours: Neighbours
    #: similarity below which neighbours were not looked for: a folder with no example in a
    #: video's list is at most this close
    floor: float
    #: the search by content embedding it was made from, for the look-alikes to reuse
    searched: LibraryNeighbours | None = None
    position: dict[str, int] = field(init=False)
    _matrix: csr_matrix | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.position = {name: i for i, name in enumerate(self.ids)}

    @property
    def matrix(self) -> csr_matrix:
        """The symmetric, degree-normalised edge weights the spread runs on."""
        if self._matrix is None:
            self._matrix = _spread_matrix(self.neighbours)
        return self._matrix


def library_graph(
    features: Mapping[str, VideoFeatures], content: bool, cache: Path | None = None
) -> Graph:
    """The graph of every video in ``features`` (by video id): by content embedding for a
    content model (its neighbours are the look-alikes', kept in ``cache``), else by the
    standardised classical descriptor (a fallback: computed afresh, never cached)."""
    if content:
        vectors = {i: f.embedding for i, f in features.items() if f.embedding is not None}
        found = library_neighbours(vectors, cache)
        return Graph(found.ids, found.everyone, SEARCH_FLOOR, found)
    ids = list(features)
    rows = np.stack([features[i].global_ for i in ids]) if ids else np.zeros((0, 1))
    rows = (rows - rows.mean(0)) / np.maximum(rows.std(0), 1e-6)
    found = library_neighbours(dict(zip(ids, rows, strict=True)), None)
    return Graph(found.ids, found.everyone, SEARCH_FLOOR)


def _spread_matrix(nb: Neighbours) -> csr_matrix:
    n = len(nb.index)
    k = min(GRAPH_NEIGHBOURS, nb.index.shape[1]) if nb.index.ndim == 2 else 0
    index, similarity = nb.index[:, :k], nb.similarity[:, :k]
    listed = index >= 0
    rows = np.repeat(np.arange(n), k).reshape(n, k)[listed]
    weights = np.maximum(similarity[listed], 0.0).astype(np.float64) ** EDGE_POWER
    edges = coo_matrix((weights, (rows, index[listed])), shape=(n, n)).tocsr()
    edges = edges.maximum(edges.T)
    degree = np.asarray(edges.sum(1)).ravel()
    scale = diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
    matrix: csr_matrix = (scale @ edges @ scale).tocsr()
    return matrix


def spread(graph: Graph, seeds: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """n x (n_classes + 1): how much of each folder (and, last, of "unknown") reaches each
    video when the ``seeds`` (positions) spread their ``labels`` and every other video
    spreads "unknown"."""
    n = len(graph.ids)
    start = np.zeros((n, n_classes + 1))
    start[seeds, labels] = 1.0
    unknown = np.ones(n, bool)
    unknown[seeds] = False
    start[unknown, n_classes] = 1.0
    reached = start.copy()
    matrix = graph.matrix
    for _ in range(SPREAD_STEPS):
        reached = SPREAD * (matrix @ reached) + (1 - SPREAD) * start
    return reached


def evidence(
    graph: Graph,
    reached: np.ndarray,
    label_at: np.ndarray,
    queries: np.ndarray,
    predicted: np.ndarray,
) -> np.ndarray:
    """len(queries) x FEATURES for predicting class ``predicted`` (indices) for the videos at
    ``queries``; ``label_at``: each video's class index as a seed, -1 if it is none."""
    index = graph.neighbours.index[queries]
    similarity = graph.neighbours.similarity[queries]
    labels = np.where(index >= 0, label_at[np.maximum(index, 0)], -1)
    match = labels == predicted[:, None]
    nearest = np.where(match, similarity, -np.inf).max(1, initial=-np.inf)
    nearest = np.where(np.isfinite(nearest), nearest, graph.floor)
    rows = reached[queries]
    share = rows[np.arange(len(queries)), predicted] / np.maximum(rows.sum(1), 1e-12)
    return np.stack([nearest, share], 1)


@dataclass
class Views:
    """Held-out predictions whose answer is known: FEATURES per row, and the outcome."""

    x: np.ndarray
    right: np.ndarray  # the predicted folder was the video's folder
    new_kind: np.ndarray  # the video's folder was held out: no folder fitted it


def views(graph: Graph, seeds: np.ndarray, labels: np.ndarray, n_classes: int) -> Views:
    """Folds of the filed videos, then groups of folders held out in turn."""
    rows: list[np.ndarray] = []
    right: list[np.ndarray] = []
    new_kind: list[np.ndarray] = []

    def predict_held_out(keep: np.ndarray, allowed: np.ndarray) -> None:
        label_at = np.full(len(graph.ids), -1)
        label_at[seeds[keep]] = labels[keep]
        reached = spread(graph, seeds[keep], labels[keep], n_classes)
        queries = seeds[~keep]
        scores = np.where(allowed, reached[queries, :n_classes], -np.inf)
        predicted = scores.argmax(1)
        rows.append(evidence(graph, reached, label_at, queries, predicted))
        right.append(predicted == labels[~keep])
        new_kind.append(~allowed[labels[~keep]])

    counts = np.bincount(labels, minlength=n_classes)
    folds = int(min(FOLDS, counts[counts > 0].min()))
    every = np.ones(n_classes, bool)
    if folds >= 2:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
        for _, test in splitter.split(seeds, labels):
            keep = np.ones(len(seeds), bool)
            keep[test] = False
            predict_held_out(keep, every)
    order = np.random.default_rng(0).permutation(np.flatnonzero(counts))
    for group in np.array_split(order, min(HELD_OUT_GROUPS, len(order))):
        allowed = every.copy()
        allowed[group] = False
        if allowed[counts > 0].any():
            predict_held_out(~np.isin(labels, group), allowed)
    width = len(FEATURES)
    return Views(
        np.concatenate(rows) if rows else np.zeros((0, width)),
        np.concatenate(right) if right else np.zeros(0, bool),
        np.concatenate(new_kind) if new_kind else np.zeros(0, bool),
    )


@dataclass
class OpenSetCalibration:
    """P(the predicted folder is right) = sigmoid(min over FEATURES of slope*x + intercept,
    minus ``shift``); P(no folder fits) = sigmoid(none_weights . x + none_intercept).
    Plain numbers, so the model can be saved without pickle."""

    slopes: np.ndarray  # one per feature
    intercepts: np.ndarray  # one per feature
    shift: float
    ceiling: float  # the most a prediction may state (below THRESHOLD: too little evidence)
    none_weights: np.ndarray
    none_intercept: float
    how: str = ""

    def confidence(self, x: np.ndarray) -> np.ndarray:
        logit = (x * self.slopes + self.intercepts).min(1) - self.shift
        out: np.ndarray = np.minimum(1.0 / (1.0 + np.exp(-logit)), self.ceiling)
        return out

    def none_fits(self, x: np.ndarray) -> np.ndarray:
        out: np.ndarray = 1.0 / (1.0 + np.exp(-(x @ self.none_weights + self.none_intercept)))
        return out


def _weights(v: Views) -> np.ndarray:
    """New kinds weighted NEW_KIND_WEIGHT times as much, in total, as known ones."""
    known, new = int((~v.new_kind).sum()), int(v.new_kind.sum())
    return np.where(v.new_kind, NEW_KIND_WEIGHT * max(known, 1) / max(new, 1), 1.0)


def _logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """(coefficients, intercept), in the features' own units, of the weighted logistic
    regression of ``y`` on the columns of ``x`` (standardised; L2 penalty 1/2 |coef|^2, as
    scikit-learn's C=1), by Newton's method: a handful of features and up to tens of
    thousands of rows, solved in milliseconds (a refit recalibrates every time)."""
    target = y.astype(np.float64)
    if target.all() or not target.any():  # nothing to tell apart: the base rate
        rate = float(np.average(target, weights=weights)) if len(y) else 0.0
        rate = min(max(rate, 1e-4), 1 - 1e-4)
        return np.zeros(x.shape[1]), float(np.log(rate / (1 - rate)))
    centre, spread_ = x.mean(0), x.std(0)
    scale = np.where(spread_ > 0, spread_, 1.0)
    a = np.column_stack([(x - centre) / scale, np.ones(len(x))])
    penalty = np.r_[np.ones(x.shape[1]), 0.0]
    beta = np.zeros(a.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a @ beta)))
        gradient = a.T @ (weights * (p - target)) + penalty * beta
        hessian = (a * (weights * p * (1 - p))[:, None]).T @ a + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    coefficients = beta[:-1] / scale
    return coefficients, float(beta[-1] - coefficients @ centre)


def _fit_right(v: Views, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One logistic line per feature: P(right | that feature alone)."""
    lines = [_logistic(v.x[:, [i]], v.right, weights) for i in range(v.x.shape[1])]
    return np.array([float(c[0]) for c, _ in lines]), np.array([b for _, b in lines])


def _safe_shift(
    confidence: np.ndarray, right: np.ndarray, weights: np.ndarray
) -> tuple[float, float]:
    """(shift, ceiling): how much lower (in logits) confidences must go for the held-out
    predictions at or above THRESHOLD to be right SAFE_ACCURACY of the time (weighted), 0 if
    they are; and the most any prediction may then state -- just below THRESHOLD when fewer
    than MIN_EVIDENCE held-out predictions can vouch for it (a small library: the calibration
    would otherwise extrapolate to 80% from nothing)."""
    order = np.argsort(-confidence)
    c, r, w = confidence[order], right[order], weights[order]
    precision = np.cumsum(r * w) / np.maximum(np.cumsum(w), 1e-12)
    enough = np.arange(1, len(c) + 1) >= MIN_EVIDENCE
    ok = np.flatnonzero((precision >= SAFE_ACCURACY) & enough)
    if not len(ok):
        return 0.0, THRESHOLD - 1e-3
    lowest = min(max(float(c[ok.max()]), 1e-6), 1 - 1e-6)
    logit = np.log(lowest / (1 - lowest)) - np.log(THRESHOLD / (1 - THRESHOLD))
    return max(0.0, float(logit)), 1.0


def cross_validated(v: Views) -> np.ndarray:
    """Each view row's confidence from a calibration fitted without its fold (for the
    safety shift and metrics.json: figures the calibration did not see)."""
    out = np.zeros(len(v.right))
    outcome = v.right.astype(int) + 2 * v.new_kind
    counts = np.bincount(outcome, minlength=3)
    folds = int(min(5, counts[counts > 0].min())) if len(outcome) else 0
    if folds < 2:
        return out
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(v.x, outcome):
        part = Views(v.x[train], v.right[train], v.new_kind[train])
        slopes, intercepts = _fit_right(part, _weights(part))
        out[test] = 1.0 / (1.0 + np.exp(-(v.x[test] * slopes + intercepts).min(1)))
    return out


def fit(v: Views) -> tuple[OpenSetCalibration, np.ndarray]:
    """The calibration, and each view row's cross-validated confidence (shift included)."""
    weights = _weights(v)
    slopes, intercepts = _fit_right(v, weights)
    held_out = cross_validated(v)
    shift, ceiling = _safe_shift(held_out, v.right, weights)
    new, known = max(int(v.new_kind.sum()), 1), max(int((~v.new_kind).sum()), 1)
    balanced = np.where(v.new_kind, len(v.new_kind) / (2 * new), len(v.new_kind) / (2 * known))
    none_w, none_b = _logistic(v.x, v.new_kind, balanced)
    how = (f"open set: {int((~v.new_kind).sum())} filed videos predicted from the others, "
           f"{int(v.new_kind.sum())} with their folder held out")  # fmt: skip
    if shift > 0:
        how += f", softened by {shift:.2f} logits"
    if ceiling < THRESHOLD:
        how += f", never {THRESHOLD:.0%} or more (too few held-out predictions to vouch for it)"
    held_out = np.minimum(1.0 / (1.0 + np.exp(-(_logit(held_out) - shift))), ceiling)
    return OpenSetCalibration(slopes, intercepts, shift, ceiling, none_w, none_b, how), held_out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    out: np.ndarray = np.log(p / (1 - p))
    return out


def calibrate(
    graph: Graph, labelled: Mapping[str, str], classes: list[str]
) -> tuple[OpenSetCalibration, Views, np.ndarray] | None:
    """The calibration for a model of ``classes`` whose filed videos are ``labelled`` (video
    id -> folder; others are left out), with its views and their cross-validated
    confidences; None with fewer than two of the folders in the graph."""
    index = {c: i for i, c in enumerate(classes)}
    seeds = sorted((graph.position[v], index[f]) for v, f in labelled.items()
                   if f in index and v in graph.position)  # fmt: skip
    labels = np.array([c for _, c in seeds], np.int64)
    if len(np.unique(labels)) < 2:
        return None
    v = views(graph, np.array([p for p, _ in seeds], np.int64), labels, len(classes))
    calibration, held_out = fit(v)
    return calibration, v, held_out
