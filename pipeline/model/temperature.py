"""Confidence that means what it says, and an accept-all key that is safe to press.

One temperature scales the chosen model's logits (log-probabilities, or an SVM's decision
values): fitted on out-of-fold predictions to minimise held-out log-loss, then raised (made
more modest) only as far as needed for held-out predictions at or above the accept-all
threshold to be right at least SAFE_ACCURACY of the time. One parameter cannot overfit a small
library the way per-class sigmoid or isotonic maps do, and a refit keeps it without refolding.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from sklearn.base import clone

from pipeline.model.classifiers import (
    ColumnsClassifier,
    Estimator,
    decision_values,
    fit_part,
    probabilities,
)

#: the accept-all key's default threshold (README, TUI config): what "confident" means
THRESHOLD = 0.8
#: held-out accuracy wanted from predictions at or above THRESHOLD
SAFE_ACCURACY = 0.95
TEMPERATURES = np.geomspace(0.2, 50, 141)
#: how many confident held-out predictions it takes to judge them (fewer in tiny libraries)
MIN_EVIDENCE = 20


def logits(estimator: Estimator, x: np.ndarray) -> np.ndarray:
    """Log-probabilities, or decision values (two columns for a binary problem)."""
    p = probabilities(estimator, x)
    if p is not None:
        log_p: np.ndarray = np.log(np.clip(p, 1e-12, 1))
        return log_p
    scores = decision_values(estimator, x)
    return np.stack([-scores, scores], 1) if scores.ndim == 1 else scores


def soften(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = np.exp(z - z.max(1, keepdims=True))
    probabilities: np.ndarray = z / z.sum(1, keepdims=True)
    return probabilities


def _log_loss(p: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, 1))))


def _confident_accuracy(p: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(accuracy, coverage) of the predictions at or above THRESHOLD."""
    confident = p.max(1) >= THRESHOLD
    if not confident.any():
        return 1.0, 0.0
    return float((p.argmax(1) == truth)[confident].mean()), float(confident.mean())


def _safe(p: np.ndarray, truth: np.ndarray) -> bool:
    """Held-out predictions at or above THRESHOLD are right often enough, judged on enough of
    them (a handful that happen to be right proves nothing), or there are none."""
    accuracy, coverage = _confident_accuracy(p, truth)
    enough = min(MIN_EVIDENCE, len(truth) / 4)
    return coverage == 0 or (accuracy >= SAFE_ACCURACY and coverage * len(truth) >= enough)


def choose_temperature(
    scores: np.ndarray, truth: np.ndarray, lowest: float | None = None
) -> tuple[float, str]:
    """(temperature, how it was chosen) from out-of-fold ``scores`` and class indices.

    ``lowest``: no sharper than this (1.0 for a tiny library, where a few lucky held-out
    predictions would otherwise make the model surer than its own probabilities).
    """
    temperatures = TEMPERATURES
    if lowest is not None and lowest > TEMPERATURES[0]:
        temperatures = np.concatenate([[lowest], TEMPERATURES[lowest < TEMPERATURES]])
    losses = [_log_loss(soften(scores, t), truth) for t in temperatures]
    best = int(np.argmin(losses))
    for t in temperatures[best:]:
        if _safe(soften(scores, t), truth):
            break
    how = f"temperature {t:.2f} (held-out log-loss"
    if lowest is not None and best == 0 and lowest > TEMPERATURES[0]:
        how += f", no sharper than {lowest:g} with so few videos a folder"
    if t != temperatures[best]:
        how += (f", then softened until {SAFE_ACCURACY:.0%} of predictions at {THRESHOLD:.0%} "
                "or more were right")  # fmt: skip
    return float(t), how + ")"


class Tempered(ColumnsClassifier):
    """``estimator`` (a classifier with ``predict_proba`` or ``decision_function``) with its
    logits divided by ``temperature`` before the softmax."""

    def __init__(
        self, estimator: Estimator | None = None, temperature: float = 1.0, warm_start: bool = False
    ) -> None:
        self.estimator = estimator
        self.temperature = temperature
        self.warm_start = warm_start

    def fit(self, x: np.ndarray, y: np.ndarray) -> Self:
        if self.estimator is None:
            raise ValueError("Tempered needs an estimator to temper")
        x, y = self._fit_input(x, y)
        previous = getattr(self, "estimator_", None)
        self.estimator_ = fit_part(previous, lambda: clone(self.estimator), x, y, self.warm_start)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        x = self._predict_input(x)
        return soften(logits(self.estimator_, x), self.temperature)
