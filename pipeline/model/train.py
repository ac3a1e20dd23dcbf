"""Stage 2: pick a model by stratified cross-validation, calibrate it, save it with metrics.

Candidates share one input: the global descriptor beside the Fisher vector of local colour
patches, followed by the content embedding when every video has one (the feature set, and
why it is classical only otherwise, is reported). The best by CV top-1 (then top-3) is
calibrated so that `confidence` means what it says; metrics.json reports the out-of-fold
figures of the calibrated model, its reliability table and what confidence >= 0.8 gives.
Run: python -m pipeline.model.train --data DIR --artifacts DIR
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from pipeline.features import extract
from pipeline.features.descriptor import VideoFeatures
from pipeline.features.embedder import EmbedderPlan
from pipeline.features.extract import ExtractResult
from pipeline.features.fisher_vectors import ColourVocabulary, fit_vocabulary
from pipeline.model.classifiers import ContentFusion, ContentOnly, Estimator, LateFusion
from pipeline.model.fused_rows import fuse, keys_for, layout
from pipeline.model.open_set import Graph, Views, calibrate, library_graph
from pipeline.model.temperature import THRESHOLD, Tempered, choose_temperature, soften
from pipeline.model.trained_model import TrainedModel, save
from pipeline.stage_cli import stage_main
from pipeline.stage_errors import StageError
from pipeline.video_refs import VideoRef, library_videos
from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import write_json_atomic
from vidsort_tui.core.config import Settings
from vidsort_tui.core.metrics import TrainingMetrics
from vidsort_tui.core.names import MIN_EXAMPLES

MAX_CV_SAMPLES = 3000
BINS = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001]

Encode = Callable[[list[str], list[VideoFeatures], ColourVocabulary, bool], np.ndarray]


class NoFolders(StageError):
    """No video is in a folder yet: nothing to learn from (a first run on a flat folder)."""


@dataclass
class TrainResult:
    model: TrainedModel
    metrics: TrainingMetrics = field(default_factory=TrainingMetrics)
    graph: Graph | None = None  # the library's, for predicting with the open-set calibration


def candidates(split: int, content: int = 0) -> dict[str, Estimator]:
    """Models to compare; ``content`` is the column where the embedding starts (0: none)."""
    if content:
        return {
            "content+classical": ContentFusion(split, content),
            "content-logreg": ContentOnly(content),
            "late-fusion-logreg": LateFusion(split=split, end=content),
        }
    return {
        "late-fusion-logreg": LateFusion(split=split),
        "logreg": make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=3000)),
        "linear-svm": make_pipeline(StandardScaler(), LinearSVC(C=0.05, max_iter=5000)),
    }


def learnable(labels: list[str]) -> tuple[list[str], dict[str, str]]:
    """Folders with >= MIN_EXAMPLES examples, and why each other folder cannot be learned."""
    counts = Counter(labels)
    ok = sorted(f for f, n in counts.items() if n >= MIN_EXAMPLES)
    why = {f: f"only {n} video (needs at least {MIN_EXAMPLES})" for f, n in counts.items()
           if n < MIN_EXAMPLES}  # fmt: skip
    return ok, why


def _topk(scores: np.ndarray, classes: np.ndarray, y: np.ndarray, k: int) -> float:
    top = classes[np.argsort(-scores, axis=1)[:, :k]]
    return float(np.mean([yi in row for yi, row in zip(y, top, strict=True)]))


def _subsample(y: np.ndarray, limit: int, seed: int = 0) -> np.ndarray:
    if len(y) <= limit:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        share = max(2, int(round(limit * len(idx) / len(y))))
        keep.extend(rng.choice(idx, min(share, len(idx)), replace=False))
    return np.sort(np.array(keep))


def _folds(y: np.ndarray) -> StratifiedKFold:
    return StratifiedKFold(
        n_splits=int(min(5, Counter(y).most_common()[-1][1])), shuffle=True, random_state=0
    )


def select(
    x: np.ndarray, y: np.ndarray, split: int, content: int = 0
) -> tuple[str, dict[str, float], dict[str, np.ndarray]]:
    """The candidate with the best out-of-fold top-1 (top-3 breaks ties).

    Also returns each candidate's out-of-fold logits (on ``_subsample(y)``), so calibration
    is fitted on the same held-out predictions.
    """
    idx = _subsample(y, MAX_CV_SAMPLES)
    xs, ys = x[idx], y[idx]
    classes = np.unique(ys)
    results: dict[str, tuple[float, float]] = {}
    oof_logits: dict[str, np.ndarray] = {}
    for name, estimator in candidates(split, content).items():
        method = "predict_proba" if hasattr(estimator, "predict_proba") else "decision_function"
        scores = cross_val_predict(clone(estimator), xs, ys, cv=_folds(ys), method=method)
        if scores.ndim == 1:  # binary decision_function
            scores = np.stack([-scores, scores], 1)
        if method == "predict_proba":
            scores = np.log(np.clip(scores, 1e-12, 1))
        oof_logits[name] = scores
        results[name] = (_topk(scores, classes, ys, 1), _topk(scores, classes, ys, 3))
    best = max(results, key=lambda n: results[n])
    return best, {n: round(r[0], 4) for n, r in results.items()}, oof_logits


#: below this many examples in the smallest folder, held-out predictions are few: the
#: temperature may soften the model's probabilities but never sharpen them, and a model with
#: probabilities of its own is preferred to a linear SVM's decision values
MIN_FOR_CALIBRATION = 6


def reliability(confidence: np.ndarray, correct: np.ndarray) -> list[dict[str, float]]:
    table = []
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        mask = (confidence >= lo) & (confidence < hi)
        if mask.any():
            table.append({"from": lo, "to": min(hi, 1.0), "count": int(mask.sum()),
                          "accuracy": round(float(correct[mask].mean()), 4),
                          "mean_confidence": round(float(confidence[mask].mean()), 4)})  # fmt: skip
    return table


def feature_set(feats: list[VideoFeatures], plan: EmbedderPlan | None) -> tuple[bool, str]:
    """(use the content embedding?, the feature set as people read it)."""
    if plan is not None and plan.model_path is None:
        return False, plan.feature_set
    missing = sum(f.embedding is None for f in feats)
    if missing:
        return False, f"classical ({missing} of {len(feats)} videos have no content embedding)"
    return True, "content+classical"


def train(
    labelled: dict[str, tuple[str, VideoFeatures]],
    skipped: dict[str, str] | None = None,
    encode: Encode | None = None,
    embedder: EmbedderPlan | None = None,
    library: Mapping[str, VideoFeatures] | None = None,
    neighbours_cache: Path | None = None,
) -> TrainResult:
    """``labelled``: video id -> (folder, features). Raises StageError for unusable libraries.

    ``embedder``: the plan extraction ran with (None: use embeddings wherever all have one).
    ``library``: every video's features by id, unsorted ones included, for the open-set
    calibration (None: the classifier's probabilities are the confidence, as closed-set);
    ``neighbours_cache``: where the library's neighbour lists are kept.
    """
    start = time.monotonic()
    labels = [label for label, _ in labelled.values()]
    if not labels:
        raise NoFolders("no labelled videos: create category folders and put videos in them")
    classes, unlearnable = learnable(labels)
    if len(classes) < 2:
        have = ", ".join(f"{name} has {n}" for name, n in sorted(Counter(labels).items()))
        raise StageError(
            "need at least two folders with two or more videos each to learn from "
            f"(now {have}): add videos to your folders, then retrain"
        )
    ids = [i for i, (label, _) in labelled.items() if label in classes]
    y = np.array([labelled[i][0] for i in ids])
    feats = [labelled[i][1] for i in ids]
    vocabulary = fit_vocabulary([f.local for f in feats])
    content, described = feature_set(feats, embedder)
    x = encode(ids, feats, vocabulary, content) if encode else fuse(feats, vocabulary, content)
    parts = layout(feats, vocabulary, content)
    split, first_content = parts.fisher_start, parts.content_start
    kind, scores, oof_logits = select(x, y, split, first_content)
    tiny = Counter(y).most_common()[-1][1] < MIN_FOR_CALIBRATION
    if tiny and kind == "linear-svm":
        kind = max((n for n in scores if n != "linear-svm"), key=lambda n: scores[n])
    ys = y[_subsample(y, MAX_CV_SAMPLES)]
    truth = np.searchsorted(np.unique(ys), ys)
    temperature, calibration = choose_temperature(oof_logits[kind], truth, 1.0 if tiny else None)
    oof = soften(oof_logits[kind], temperature)
    template = Tempered(candidates(split, first_content)[kind], temperature)
    model = TrainedModel(clone(template).fit(x, y), list(classes), vocabulary, kind,
                         unlearnable=unlearnable, template=template, content=content,
                         feature_set=described)  # fmt: skip
    metrics = _metrics(oof, ys, np.array(model.classes), labels, kind, scores)
    graph = None
    if library is not None:
        graph = library_graph(library, content, neighbours_cache)
        found = calibrate(graph, {i: labelled[i][0] for i in ids}, model.classes)
        if found is not None:
            model.open_set, open_views, held_out = found
            metrics.update(_open_set_metrics(open_views, held_out))
            calibration += f"; {model.open_set.how}"
    metrics["skipped"] = dict(sorted((skipped or {}).items()))
    metrics["unlearnable"] = unlearnable
    metrics["feature_set"] = described
    metrics["calibration"] = calibration
    metrics["train_seconds"] = round(time.monotonic() - start, 2)
    return TrainResult(model, metrics, graph)


def _open_set_metrics(v: Views, confidence: np.ndarray) -> TrainingMetrics:
    """What the stated confidence means, measured on held-out predictions it did not see:
    filed videos predicted from the others, and with their folder held out (a new kind:
    always wrong)."""
    confident = confidence >= THRESHOLD
    known = ~v.new_kind
    return {
        "reliability": reliability(confidence, v.right),
        "accuracy_at_confidence_0_8": round(float(v.right[confident].mean()), 4)
        if confident.any()
        else None,
        "coverage_at_confidence_0_8": round(float(confident[known].mean()), 4)
        if known.any()
        else 0.0,
        "new_kind_below_0_8": round(float((~confident[v.new_kind]).mean()), 4)
        if v.new_kind.any()
        else None,
        "evaluated_predictions": int(len(v.right)),
        "confidence": (
            "the chance the predicted folder is right, the chance that no folder fits "
            "included; measured on filed videos predicted from the others and, each group "
            "of folders held out in turn, on videos of a kind without a folder"
        ),
    }


def _metrics(
    oof: np.ndarray,
    y: np.ndarray,
    classes: np.ndarray,
    labels: list[str],
    kind: str,
    scores: dict[str, float],
) -> TrainingMetrics:
    predicted = classes[oof.argmax(1)]
    confidence = oof.max(1)
    correct = predicted == y
    confusion = [[int(((y == a) & (predicted == b)).sum()) for b in classes] for a in classes]
    confident = confidence >= THRESHOLD
    return {
        "top1": round(float(correct.mean()), 4),
        "top3": round(_topk(oof, classes, y, 3), 4),
        "per_folder_recall": {c: round(float(correct[y == c].mean()), 4) for c in classes},
        "confusion": {"labels": list(classes), "matrix": confusion},
        "examples_per_folder": dict(sorted(Counter(labels).items())),
        "reliability": reliability(confidence, correct),
        "accuracy_at_confidence_0_8": round(float(correct[confident].mean()), 4)
        if confident.any()
        else None,
        "coverage_at_confidence_0_8": round(float(confident.mean()), 4),
        "model": kind,
        "candidates_top1": scores,
        "evaluated_videos": int(len(y)),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save_result(result: TrainResult, artifacts_dir: Path) -> None:
    save(result.model, artifacts_dir)
    write_json_atomic(Path(artifacts_dir) / artifacts.METRICS, result.metrics)


def run(settings: Settings, extracted: ExtractResult, videos: list[VideoRef]) -> TrainResult:
    """Train on the labelled videos of an ExtractResult and save model + metrics;
    ``videos``: the scan extraction was handed."""
    refs = {v.rel: v for v in videos if v.rel in extracted.features}
    labelled = {
        rel: (v.label, extracted.features[rel]) for rel, v in refs.items() if v.label is not None
    }

    def encode(
        ids: list[str], feats: list[VideoFeatures], vocabulary: ColourVocabulary, content: bool
    ) -> np.ndarray:
        keys = keys_for([refs[i].path for i in ids])
        return fuse(feats, vocabulary, content, keys, Path(settings.artifacts_dir))

    library = {rel: extracted.features[rel] for rel in refs}
    cache = Path(settings.artifacts_dir) / artifacts.NEIGHBOURS
    result = train(labelled, extracted.skipped, encode, extracted.embedder, library, cache)
    save_result(result, Path(settings.artifacts_dir))
    return result


def main(argv: list[str] | None = None) -> int:
    def body(settings: Settings) -> str:
        videos = library_videos(settings)
        m = run(settings, extract.run(settings, videos), videos).metrics
        return (f"model {m['model']} on {m['feature_set']} features: CV top-1 {m['top1']:.3f}, "
                f"top-3 {m['top3']:.3f}; candidates {m['candidates_top1']}")  # fmt: skip

    return stage_main(__doc__ or "", body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
