"""The classifiers compared by cross-validation, and warm refits for all of them.

Columns of the fused matrix: [global descriptor | Fisher vector | content embedding]; each
classifier is told where its parts start. With ``warm_start``, a refit on the same folders
continues from the fitted coefficients instead of starting again (the refit fast path).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler


def fit_part(previous, make: Callable[[], object], x: np.ndarray, y: np.ndarray, warm: bool):  # type: ignore[no-untyped-def]
    """``make()`` fitted on x, y; or, when ``warm``, ``previous`` refitted from where it was."""
    if warm and previous is not None and list(previous.classes_) == list(np.unique(y)):
        last = previous.steps[-1][1] if isinstance(previous, Pipeline) else previous
        if hasattr(last, "warm_start"):
            last.warm_start = True
        return previous.fit(x, y)
    return make().fit(x, y)  # type: ignore[attr-defined]


class _ProbabilisticClassifier(ClassifierMixin, BaseEstimator):
    classes_: np.ndarray

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(x).argmax(1)]


class LateFusion(_ProbabilisticClassifier):
    """One classifier on the global descriptor, one on the Fisher vector, probabilities averaged.

    ``split`` is the column where the Fisher vector starts in the fused matrix, ``end`` where
    it ends (0: at the last column; otherwise the content embedding follows).
    """

    def __init__(
        self,
        split: int = 0,
        c_global: float = 0.5,
        c_fisher: float = 2.0,
        end: int = 0,
        warm_start: bool = False,
    ) -> None:
        self.split = split
        self.c_global = c_global
        self.c_fisher = c_fisher
        self.end = end
        self.warm_start = warm_start

    def _parts(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[:, : self.split], x[:, self.split : self.end or x.shape[1]]

    def fit(self, x: np.ndarray, y: np.ndarray) -> LateFusion:
        def part(c: float):  # type: ignore[no-untyped-def]
            return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))

        glob, fisher = self._parts(x)
        warm = self.warm_start
        self.global_ = fit_part(
            getattr(self, "global_", None), lambda: part(self.c_global), glob, y, warm
        )
        self.fisher_ = fit_part(
            getattr(self, "fisher_", None), lambda: part(self.c_fisher), fisher, y, warm
        )
        self.classes_ = self.global_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        glob, fisher = self._parts(x)
        return (self.global_.predict_proba(glob) + self.fisher_.predict_proba(fisher)) / 2


def content_logreg(c: float = 1.0):  # type: ignore[no-untyped-def]
    """Logistic regression on L2-normalised, standardised embeddings."""
    return make_pipeline(
        Normalizer(), StandardScaler(), LogisticRegression(C=c, max_iter=2000, tol=1e-3)
    )


class ContentOnly(_ProbabilisticClassifier):
    """``content_logreg`` on the embedding columns (from ``start``) of the fused matrix."""

    def __init__(self, start: int = 0, c: float = 1.0, warm_start: bool = False) -> None:
        self.start = start
        self.c = c
        self.warm_start = warm_start

    def fit(self, x: np.ndarray, y: np.ndarray) -> ContentOnly:
        previous = getattr(self, "content_", None)
        self.content_ = fit_part(previous, lambda: content_logreg(self.c), x[:, self.start :], y,
                                 self.warm_start)  # fmt: skip
        self.classes_ = self.content_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.content_.predict_proba(x[:, self.start :])


class ContentFusion(_ProbabilisticClassifier):
    """Late fusion of the content classifier with the classical LateFusion.

    Probabilities are combined as a weighted geometric mean (then renormalised): a folder
    both branches find likely wins, and one branch's overconfidence is tempered by the other.
    """

    def __init__(
        self,
        split: int = 0,
        start: int = 0,
        weight: float = 0.75,
        c: float = 1.0,
        warm_start: bool = False,
    ) -> None:
        self.split = split
        self.start = start
        self.weight = weight
        self.c = c
        self.warm_start = warm_start

    def fit(self, x: np.ndarray, y: np.ndarray) -> ContentFusion:
        warm = self.warm_start
        self.content_ = fit_part(
            getattr(self, "content_", None), lambda: ContentOnly(self.start, self.c), x, y, warm
        )
        classical = getattr(self, "classical_", None)
        self.classical_ = fit_part(
            classical, lambda: LateFusion(self.split, end=self.start), x, y, warm
        )
        self.classes_ = self.content_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        a = np.log(np.clip(self.content_.predict_proba(x), 1e-9, 1))
        b = np.log(np.clip(self.classical_.predict_proba(x), 1e-9, 1))
        logp = self.weight * a + (1 - self.weight) * b
        p = np.exp(logp - logp.max(1, keepdims=True))
        return p / p.sum(1, keepdims=True)
