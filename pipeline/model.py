"""The fitted model as saved in model.joblib, and how it turns features into probabilities."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import clone

from pipeline.embedder import EMBEDDING_VERSION
from pipeline.encoding import ColourVocabulary, encode_all
from pipeline.features import FEATURE_VERSION, VideoFeatures
from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import write_bytes_atomic


@dataclass
class TrainedModel:
    classifier: object  # fitted, calibrated; predict_proba over ``classes``
    classes: list[str]
    vocabulary: ColourVocabulary
    kind: str
    feature_version: int = FEATURE_VERSION
    unlearnable: dict[str, str] = field(default_factory=dict)
    template: object = None  # the unfitted estimator, for refits on cached features
    content: bool = False  # the matrix ends with the content embedding
    feature_set: str = "classical"  # for people: "content+classical" or "classical (why)"
    embedding_version: int = EMBEDDING_VERSION

    def matrix(self, features: list[VideoFeatures]) -> np.ndarray:
        return fuse(features, self.vocabulary, self.content)

    def probabilities(self, features: list[VideoFeatures]) -> np.ndarray:
        if not features:
            return np.zeros((0, len(self.classes)))
        return self.classifier.predict_proba(self.matrix(features))  # type: ignore[attr-defined]

    def refitted(self, x: np.ndarray, y: np.ndarray) -> TrainedModel:
        """The same model fitted on ``x, y``; with the same folders, starting from the current
        coefficients (a few sorts barely move them: 10,000 videos refit in a fraction of the
        time of a cold fit), otherwise from scratch."""
        if list(np.unique(y)) == self.classes and hasattr(self.classifier, "warm_start"):
            classifier = copy.deepcopy(self.classifier)
            classifier.warm_start = True  # type: ignore[attr-defined]
            classifier.fit(x, y)  # type: ignore[attr-defined]
        else:
            classifier = clone(self.template).fit(x, y)  # type: ignore[attr-defined]
        return replace(self, classifier=classifier, classes=list(classifier.classes_))


def fuse(
    features: list[VideoFeatures], vocabulary: ColourVocabulary, content: bool = False
) -> np.ndarray:
    """[global descriptor | Fisher vector (| content embedding)] rows."""
    if not features:
        return np.zeros((0, 0), np.float32)
    globals_ = np.stack([f.global_ for f in features])
    fisher = encode_all([f.local for f in features], vocabulary)
    return with_content(np.hstack([globals_, fisher]), features, content)


def with_content(classical: np.ndarray, features: list[VideoFeatures], content: bool) -> np.ndarray:
    """Append the embeddings (every video must have one when ``content``)."""
    if not content:
        return classical.astype(np.float32)
    missing = sum(f.embedding is None for f in features)
    if missing:
        raise ValueError(f"{missing} videos have no content embedding")
    embeddings = np.stack([f.embedding for f in features])  # type: ignore[misc]
    return np.hstack([classical, embeddings]).astype(np.float32)


def save(model: TrainedModel, artifacts_dir: Path) -> None:
    """Atomically: a crash mid-save leaves the previous model in place."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    write_bytes_atomic(Path(artifacts_dir) / artifacts.MODEL, buffer.getvalue())


def load(artifacts_dir: Path) -> TrainedModel | None:
    path = Path(artifacts_dir) / artifacts.MODEL
    try:
        model = joblib.load(path)
    except FileNotFoundError:
        return None
    except Exception:  # a model from another version or a damaged file: retrain instead
        return None
    if not isinstance(model, TrainedModel) or model.feature_version != FEATURE_VERSION:
        return None
    if getattr(model, "embedding_version", None) != EMBEDDING_VERSION:
        return None
    return model
