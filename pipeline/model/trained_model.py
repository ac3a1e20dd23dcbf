"""The fitted model as saved in model.npz (its rows: ``fused_rows.fuse``).

The file holds arrays and a JSON spec, never a pickle (``pipeline.model.state_file``): loading it
rebuilds only the classes in MODEL_CLASSES. A model file from before this format
(``model.joblib``, a pickle) is never opened: it reads as "no model", and the next retrain
writes the new file.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer, StandardScaler
from sklearn.svm import LinearSVC

from pipeline.features.descriptor import FEATURE_VERSION
from pipeline.features.embedder import EMBEDDING_VERSION
from pipeline.features.fisher_vectors import ColourVocabulary
from pipeline.model.classifiers import Classifier, ContentFusion, ContentOnly, LateFusion
from pipeline.model.open_set import FEATURES, OpenSetCalibration
from pipeline.model.state_file import load_state, save_state
from pipeline.model.temperature import Tempered
from vidsort_tui.core import artifacts

log = logging.getLogger(__name__)


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


#: Every class a saved model may contain, and the only ones loading it can build. A part
#: added to TrainedModel (a dataclass, a scikit-learn estimator, one of ours) is saved once
#: its class is listed here; until then ``save`` fails naming it. Arrays, numbers, strings,
#: lists, tuples and dicts need no listing.
MODEL_CLASSES: tuple[type, ...] = (
    ColourVocabulary, ContentFusion, ContentOnly, LateFusion, LinearSVC, LogisticRegression,
    Normalizer, OpenSetCalibration, Pipeline, StandardScaler, Tempered,
)  # fmt: skip
#: A model saved by another scikit-learn is not rebuilt (its estimators' state may differ):
#: it reads as no model, and the next retrain writes one.
_HEADER = {"model": "vidsort TrainedModel", "scikit-learn": sklearn.__version__}
#: far above any model (10,000 videos in 100 folders make a few megabytes)
MAX_MODEL_BYTES = 256 * 1024 * 1024


def _classes() -> tuple[type, ...]:
    return (TrainedModel, *MODEL_CLASSES)


def save(model: TrainedModel, artifacts_dir: Path) -> None:
    """Atomically: a crash mid-save leaves the previous model in place. A model of the old
    pickled format beside it is removed (it is never read)."""
    folder = Path(artifacts_dir)
    save_state(folder / artifacts.MODEL, model, _classes(), _HEADER)
    legacy = folder / artifacts.LEGACY_MODEL
    if legacy.is_file() and not legacy.is_symlink():
        legacy.unlink(missing_ok=True)


def load(artifacts_dir: Path) -> TrainedModel | None:
    """The saved model, or None (retrain) when there is none or it is not one this version
    can use: damaged, a special file, from another version, or not predicting as it claims.
    """
    path = Path(artifacts_dir) / artifacts.MODEL
    try:
        model = load_state(path, _classes(), _HEADER, MAX_MODEL_BYTES)
    except FileNotFoundError:
        return None
    except Exception as exc:  # whatever the file holds, the answer is "retrain"
        log.warning("ignoring %s: %s", path, str(exc)[:300])
        return None
    if not isinstance(model, TrainedModel) or model.feature_version != FEATURE_VERSION:
        return None
    if getattr(model, "embedding_version", None) != EMBEDDING_VERSION:
        return None
    if not hasattr(model, "open_set"):  # saved before the open-set calibration: none
        model.open_set = None
    try:
        works = _predicts(model) and _calibrates(model.open_set)
    except Exception as exc:  # its estimators' state is not what they need
        log.warning("ignoring %s: it cannot predict (%s)", path, str(exc)[:300])
        return None
    return model if works else None


def _predicts(model: TrainedModel) -> bool:
    """Its classifier gives one finite probability per folder it names, for a row of zeros."""
    classifier = model.classifier
    width = getattr(classifier, "n_features_in_", None)
    if not isinstance(width, int | np.integer) or width <= 0:
        return False
    classes = getattr(classifier, "classes_", None)
    if not isinstance(classes, np.ndarray) or list(classes) != model.classes:
        return False
    p = np.asarray(classifier.predict_proba(np.zeros((1, int(width)), np.float32)))
    return p.shape == (1, len(model.classes)) and bool(np.isfinite(p).all())


def _calibrates(calibration: object) -> bool:
    """None (a model from before it), or one finite number per feature where it needs one."""
    if calibration is None:
        return True
    if not isinstance(calibration, OpenSetCalibration):
        return False
    n = len(FEATURES)
    arrays = (calibration.slopes, calibration.intercepts, calibration.none_weights)
    numbers = (calibration.shift, calibration.ceiling, calibration.none_intercept)
    return (
        all(isinstance(a, np.ndarray) and a.shape == (n,) for a in arrays)
        and all(isinstance(v, int | float | np.floating) for v in numbers)
        and bool(np.isfinite(np.concatenate([*arrays, np.asarray(numbers, float)])).all())
        and isinstance(calibration.how, str)
    )
