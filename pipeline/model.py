"""The fitted model as saved in model.joblib (its rows are built by ``pipeline.matrix.fuse``)."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import clone

from pipeline.classifiers import Classifier
from pipeline.embedder import EMBEDDING_VERSION
from pipeline.encoding import ColourVocabulary
from pipeline.features import FEATURE_VERSION
from pipeline.open_set import OpenSetCalibration
from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import write_bytes_atomic


@dataclass
class TrainedModel:
    classifier: Classifier  # fitted, calibrated; predict_proba over ``classes``
    classes: list[str]
    vocabulary: ColourVocabulary
    kind: str
    feature_version: int = FEATURE_VERSION
    unlearnable: dict[str, str] = field(default_factory=dict)
    template: Classifier | None = None  # the unfitted estimator, for refits on cached features
    content: bool = False  # its rows end with the content embedding
    feature_set: str = "classical"  # for people: "content+classical" or "classical (why)"
    embedding_version: int = EMBEDDING_VERSION
    #: how likely a prediction is right, new kinds included (None: a model from before it)
    open_set: OpenSetCalibration | None = None

    def refitted(self, x: np.ndarray, y: np.ndarray) -> TrainedModel:
        """The same model fitted on ``x, y``; with the same folders, starting from the current
        coefficients (a few sorts barely move them: 10,000 videos refit in a fraction of the
        time of a cold fit), otherwise from scratch."""
        if list(np.unique(y)) == self.classes and hasattr(self.classifier, "warm_start"):
            classifier = copy.deepcopy(self.classifier)
            classifier.set_params(warm_start=True)
            classifier.fit(x, y)
        else:
            classifier = clone(self.template).fit(x, y)
        return replace(self, classifier=classifier, classes=list(classifier.classes_))


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
    if not hasattr(model, "open_set"):  # saved before the open-set calibration: none
        model.open_set = None
    return model
