"""The classifiers compared by cross-validation, and warm refits for all of them.

Each reads the parts of a fused row (``fused_rows.Layout``) from the columns it is told.
They follow scikit-learn's conventions, checked by its estimator checks
(tests/pipeline/model/test_estimators.py): input validated, ``classes_`` and ``n_features_in_`` set
by ``fit``, NotFittedError before it, parameters never changed by ``fit``. With
``warm_start``, a refit on the same folders continues from the fitted coefficients instead
of starting again (the refit fast path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, Self

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


class Estimator(Protocol):
    """A classifier as the pipeline fits it: one of ours, or a scikit-learn pipeline."""

    classes_: np.ndarray  # once fitted

    def fit(self, x: np.ndarray, y: np.ndarray) -> Self: ...

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def set_params(self, **params: Any) -> Self: ...


def probabilities(estimator: Estimator, x: np.ndarray) -> np.ndarray | None:
    """Its class probabilities, or None when it has none (a linear SVM).

    Asked by attribute: a Pipeline's class defines ``predict_proba`` whatever its last step,
    so a runtime-checkable Protocol would take a linear SVM's pipeline for probabilistic.
    """
    method = getattr(estimator, "predict_proba", None)
    if method is None:
        return None
    result: np.ndarray = method(x)
    return result


def decision_values(estimator: Estimator, x: np.ndarray) -> np.ndarray:
    method = getattr(estimator, "decision_function", None)
    if method is None:
        raise TypeError(f"{type(estimator).__name__} gives neither probabilities nor scores")
    result: np.ndarray = method(x)
    return result


def fit_part(
    previous: Estimator | None,
    make: Callable[[], Estimator],
    x: np.ndarray,
    y: np.ndarray,
    warm: bool,
) -> Estimator:
    """``make()`` fitted on x, y; or, when ``warm``, ``previous`` refitted from where it was."""
    if warm and previous is not None and list(previous.classes_) == list(np.unique(y)):
        last = previous.steps[-1][1] if isinstance(previous, Pipeline) else previous
        if "warm_start" in last.get_params(deep=False):
            last.set_params(warm_start=True)
        return previous.fit(x, y)
    return make().fit(x, y)


class Classifier(Estimator, Protocol):
    """A fitted model's classifier: class probabilities in ``classes_`` order."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray: ...


# scikit-learn ships no type information, so its bases are Any to mypy (disallow_subclassing_any).
class ColumnsClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """What our classifiers share: scikit-learn's input checks, and ``predict`` by the most
    probable class."""

    classes_: np.ndarray
    n_features_in_: int

    def _fit_input(self, x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
        checked_x, checked_y = validate_data(self, x, y)
        check_classification_targets(checked_y)
        return checked_x, checked_y

    def _predict_input(self, x: object) -> np.ndarray:
        check_is_fitted(self)
        checked: np.ndarray = validate_data(self, x, reset=False)
        return checked

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        probabilities = self.predict_proba(x)  # checks first: NotFittedError before fit
        predicted: np.ndarray = self.classes_[probabilities.argmax(1)]
        return predicted


def _logreg(c: float) -> Estimator:
    model: Estimator = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
    return model


class LateFusion(ColumnsClassifier):
    """One classifier on the global descriptor, one on the Fisher vector, probabilities averaged.

    ``split`` is the column where the Fisher vector starts, ``end`` where it ends (0: at the
    last column; otherwise the content embedding follows). A part without columns is left
    out: ``split=0`` is one classifier on every column.
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

    def fit(self, x: np.ndarray, y: np.ndarray) -> Self:
        x, y = self._fit_input(x, y)
        glob, fisher = self._parts(x)
        warm = self.warm_start
        previous: tuple[Estimator | None, Estimator | None] = (
            getattr(self, "global_", None),
            getattr(self, "fisher_", None),
        )
        self.global_ = (
            fit_part(previous[0], lambda: _logreg(self.c_global), glob, y, warm)
            if glob.shape[1]
            else None
        )
        self.fisher_ = (
            fit_part(previous[1], lambda: _logreg(self.c_fisher), fisher, y, warm)
            if fisher.shape[1]
            else None
        )
        self.classes_ = next(p for p in (self.global_, self.fisher_) if p is not None).classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        columns = self._parts(self._predict_input(x))
        parts = zip((self.global_, self.fisher_), columns, strict=True)
        probabilities = [_probabilities(p, cols) for p, cols in parts if p is not None]
        return sum(probabilities[1:], probabilities[0]) / len(probabilities)


def _probabilities(estimator: Estimator, x: np.ndarray) -> np.ndarray:
    p = probabilities(estimator, x)
    if p is None:
        raise TypeError(f"{type(estimator).__name__} gives no probabilities")
    return p


def content_logreg(c: float = 1.0) -> Estimator:
    """Logistic regression on L2-normalised, standardised embeddings."""
    model: Estimator = make_pipeline(
        Normalizer(), StandardScaler(), LogisticRegression(C=c, max_iter=2000, tol=1e-3)
    )
    return model


class ContentOnly(ColumnsClassifier):
    """``content_logreg`` on the embedding columns (from ``start``; 0: every column)."""

    def __init__(self, start: int = 0, c: float = 1.0, warm_start: bool = False) -> None:
        self.start = start
        self.c = c
        self.warm_start = warm_start

    def fit(self, x: np.ndarray, y: np.ndarray) -> Self:
        x, y = self._fit_input(x, y)
        previous = getattr(self, "content_", None)
        self.content_ = fit_part(previous, lambda: content_logreg(self.c), x[:, self.start :], y,
                                 self.warm_start)  # fmt: skip
        self.classes_ = self.content_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        x = self._predict_input(x)
        return _probabilities(self.content_, x[:, self.start :])


class ContentFusion(ColumnsClassifier):
    """Late fusion of the content classifier with the classical LateFusion.

    Probabilities are combined as a weighted geometric mean (then renormalised): a folder
    both branches find likely wins, and one branch's overconfidence is tempered by the other.
    ``split`` and ``start`` are where the Fisher vector and the embedding start (0 and 0:
    both branches read every column).
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

    def fit(self, x: np.ndarray, y: np.ndarray) -> Self:
        x, y = self._fit_input(x, y)
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
        x = self._predict_input(x)
        a = np.log(np.clip(_probabilities(self.content_, x), 1e-9, 1))
        b = np.log(np.clip(_probabilities(self.classical_, x), 1e-9, 1))
        logp = self.weight * a + (1 - self.weight) * b
        p = np.exp(logp - logp.max(1, keepdims=True))
        normalised: np.ndarray = p / p.sum(1, keepdims=True)
        return normalised
