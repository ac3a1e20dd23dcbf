"""The fitted model as saved in model.joblib, and how it turns features into probabilities."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline.encoding import ColourVocabulary, encode_all
from pipeline.features import FEATURE_VERSION, VideoFeatures

MODEL_FILE = "model.joblib"


class LateFusion(ClassifierMixin, BaseEstimator):
    """One classifier on the global descriptor, one on the Fisher vector, probabilities averaged.

    ``split`` is the column where the Fisher vector starts in the fused matrix.
    """

    def __init__(self, split: int = 0, c_global: float = 0.5, c_fisher: float = 2.0) -> None:
        self.split = split
        self.c_global = c_global
        self.c_fisher = c_fisher

    def fit(self, x: np.ndarray, y: np.ndarray) -> LateFusion:
        def part(c: float):  # type: ignore[no-untyped-def]
            return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))

        self.global_ = part(self.c_global).fit(x[:, : self.split], y)
        self.fisher_ = part(self.c_fisher).fit(x[:, self.split :], y)
        self.classes_ = self.global_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        a = self.global_.predict_proba(x[:, : self.split])
        b = self.fisher_.predict_proba(x[:, self.split :])
        return (a + b) / 2

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(x).argmax(1)]


@dataclass
class TrainedModel:
    classifier: object  # fitted, calibrated; predict_proba over ``classes``
    classes: list[str]
    vocabulary: ColourVocabulary
    kind: str
    feature_version: int = FEATURE_VERSION
    unlearnable: dict[str, str] = field(default_factory=dict)
    template: object = None  # the unfitted estimator, for refits on cached features

    def matrix(self, features: list[VideoFeatures]) -> np.ndarray:
        return fuse(features, self.vocabulary)

    def probabilities(self, features: list[VideoFeatures]) -> np.ndarray:
        if not features:
            return np.zeros((0, len(self.classes)))
        return self.classifier.predict_proba(self.matrix(features))  # type: ignore[attr-defined]

    def refitted(self, x: np.ndarray, y: np.ndarray) -> TrainedModel:
        classifier = clone(self.template).fit(x, y)
        return TrainedModel(classifier, list(classifier.classes_), self.vocabulary, self.kind,
                            self.feature_version, self.unlearnable, self.template)  # fmt: skip


def fuse(features: list[VideoFeatures], vocabulary: ColourVocabulary) -> np.ndarray:
    """[global descriptor | Fisher vector] rows."""
    if not features:
        return np.zeros((0, 0), np.float32)
    globals_ = np.stack([f.global_ for f in features])
    fisher = encode_all([f.local for f in features], vocabulary)
    return np.hstack([globals_, fisher]).astype(np.float32)


def save(model: TrainedModel, artifacts_dir: Path) -> None:
    """Atomically: a crash mid-save leaves the previous model in place."""
    import io

    from vidsort_tui.core.atomic import write_bytes_atomic

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    write_bytes_atomic(Path(artifacts_dir) / MODEL_FILE, buffer.getvalue())


def load(artifacts_dir: Path) -> TrainedModel | None:
    path = Path(artifacts_dir) / MODEL_FILE
    try:
        model = joblib.load(path)
    except FileNotFoundError:
        return None
    except Exception:  # a model from another version or a damaged file: retrain instead
        return None
    if not isinstance(model, TrainedModel) or model.feature_version != FEATURE_VERSION:
        return None
    return model
