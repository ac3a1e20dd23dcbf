"""metrics.json as the API and the TUI read it: validated, never trusted.

The file is an object whose accuracy fields, when present, are numbers in [0, 1]; other
fields pass through, with values JSON cannot carry (NaN, infinities) turned into null.
Anything else -- a list, wrong types, a FIFO, a link -- is "no usable metrics", with why.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular

_Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class Metrics(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    top1: _Rate | None = None
    top3: _Rate | None = None
    trained_at: StrictStr | None = None


class Confusion(TypedDict):
    labels: list[str]
    matrix: list[list[int]]  # row: the true folder, column: the predicted one


class TrainingMetrics(TypedDict, total=False):
    """What a training writes to metrics.json (``pipeline.model.train``); read as ``Metrics``."""

    top1: float
    top3: float
    per_folder_recall: dict[str, float]
    confusion: Confusion
    examples_per_folder: dict[str, int]
    reliability: list[dict[str, float]]  # from, to, count, accuracy, mean_confidence
    accuracy_at_confidence_0_8: float | None
    coverage_at_confidence_0_8: float
    new_kind_below_0_8: float | None  # held-out videos of a kind without a folder
    evaluated_predictions: int  # the rows of the reliability table
    confidence: str  # what the stated confidence means
    model: str
    candidates_top1: dict[str, float]
    evaluated_videos: int
    trained_at: str
    skipped: dict[str, str]
    unlearnable: dict[str, str]
    feature_set: str
    calibration: str
    train_seconds: float


class MetricsUnavailable(Exception):
    """No usable metrics.json; the message says why."""


def read_metrics(artifacts_dir: Path) -> dict[str, Any]:
    """The last training's metrics as plain JSON values; MetricsUnavailable otherwise."""
    path = Path(artifacts_dir) / artifacts.METRICS
    try:
        raw = json.loads(read_regular(path, 64 << 20).decode("utf-8"))
    except FileNotFoundError:
        raise MetricsUnavailable("no metrics yet: run a retrain") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise MetricsUnavailable(f"{path} is unreadable ({exc}); run a retrain") from None
    if not isinstance(raw, dict):
        raise MetricsUnavailable(f"{path} is not a JSON object; run a retrain")
    try:
        metrics = Metrics.model_validate(_finite(raw))
    except RecursionError:
        raise MetricsUnavailable(f"{path} is nested too deeply; run a retrain") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise MetricsUnavailable(f"{path} is not valid ({where}: {first['msg']})") from None
    return metrics.model_dump()


def _finite(value: Any) -> Any:
    """The value with NaN and infinities as None (JSON has no way to say them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
