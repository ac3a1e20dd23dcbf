"""predictions.json in the documented shape, reloaded whenever a retrain replaces it.

Every process (each API worker, the TUI) holds a PredictionStore; a cheap stat() per read
notices a new file, so all of them serve a retrain's predictions without a restart.
A missing or corrupt file means "no predictions" plus a warning, never a crash; the file is
validated with pydantic, read without following links or blocking on a FIFO.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, NamedTuple, NotRequired, SupportsFloat, cast

from pydantic import BeforeValidator, Field, StrictBool, StrictStr, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_json_atomic

log = logging.getLogger(__name__)


class Prediction(NamedTuple):
    """One video's prediction (a tuple: 10,000 of them load in a few milliseconds)."""

    predicted_folder: str | None
    confidence: float
    top_predictions: tuple[tuple[str, float], ...] = ()
    #: addition: no folder fits this video (a kind the library has no folder for yet), as
    #: the model judges it; ``predicted_folder`` stays the best guess, never filed by itself
    new_kind: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "predicted_folder": self.predicted_folder,
            "confidence": self.confidence,
            "top_predictions": [{"folder": f, "confidence": c} for f, c in self.top_predictions],
            "new_kind": self.new_kind,
        }


NO_PREDICTION = Prediction(None, 0.0, ())


def _confidence(value: object) -> float:
    if type(value) is float and 0.0 <= value <= 1.0:  # the usual case, NaN and inf excluded
        return value
    try:
        number = float(cast(SupportsFloat | str, value))  # anything else: TypeError, below
    except (TypeError, ValueError):
        return 0.0
    return min(max(number, 0.0), 1.0) if math.isfinite(number) else 0.0


# The documented shape, validated in one pass by pydantic-core: the path every file takes
# unless something in it is odd.
_Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class _Top(TypedDict):
    folder: StrictStr
    confidence: _Confidence


class _Entry(TypedDict):
    predicted_folder: StrictStr | None
    confidence: _Confidence
    top_predictions: list[_Top]
    new_kind: NotRequired[StrictBool]


_FILE = TypeAdapter(dict[str, _Entry])


# Tolerant per-entry validation for odd files (hand-edited, or from other tools): values are
# coerced where the meaning is clear; an entry that cannot be read is skipped with a warning.
def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _top_items(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("top_predictions must be a list")
    return [v for v in value if isinstance(v, dict) and isinstance(v.get("folder"), str)]


def _true_or_false(value: object) -> bool:
    return value is True


_LooseConfidence = Annotated[float, BeforeValidator(_confidence)]


class _LooseTop(TypedDict):
    folder: StrictStr
    confidence: NotRequired[_LooseConfidence]


class _LooseEntry(TypedDict):
    predicted_folder: NotRequired[Annotated[str | None, BeforeValidator(_str_or_none)]]
    confidence: NotRequired[_LooseConfidence]
    top_predictions: NotRequired[Annotated[list[_LooseTop], BeforeValidator(_top_items)]]
    new_kind: NotRequired[Annotated[bool, BeforeValidator(_true_or_false)]]


_ENTRY = TypeAdapter(_LooseEntry)


def parse_prediction(raw: object) -> Prediction | None:
    """One entry of the file; tolerant of files written by the original server."""
    try:
        entry = _ENTRY.validate_python(raw)
    except ValidationError:
        return None
    tops = tuple((t["folder"], t.get("confidence", 0.0)) for t in entry.get("top_predictions", []))
    folder = entry.get("predicted_folder") or (tops[0][0] if tops else None)
    return Prediction(folder, entry.get("confidence", 0.0), tops, entry.get("new_kind", False))


@dataclass
class PredictionStore:
    """The current predictions of one ARTIFACTS_DIR."""

    artifacts_dir: Path
    warning: str | None = None
    _data: dict[str, Prediction] = field(default_factory=dict)
    _stamp: tuple[int, int, int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def path(self) -> Path:
        return Path(self.artifacts_dir) / artifacts.PREDICTIONS

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def snapshot(self) -> dict[str, Prediction]:
        """All predictions, reloaded first if the file changed since the last read."""
        stamp = self._current_stamp()
        with self._lock:
            if stamp != self._stamp:
                self._data, self.warning = _load(self.path, stamp is not None)
                self._stamp = stamp
            return self._data

    @property
    def version(self) -> tuple[int, int, int] | None:
        """Identifies the file last loaded (None: no file); changes when a retrain lands."""
        return self._stamp

    def get(self, filename: str) -> Prediction:
        return self.snapshot().get(filename, NO_PREDICTION)


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Loading 10,000 predictions allocates ~100,000 acyclic objects; the cycle collector
    would walk the whole heap several times meanwhile (it doubled the load time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(path: Path, exists: bool) -> tuple[dict[str, Prediction], str | None]:
    if not exists:
        return {}, None
    with _cycle_collector_paused():
        return _parse_file(path)


def _parse_file(path: Path) -> tuple[dict[str, Prediction], str | None]:
    try:
        data = read_regular(path)
        entries = _FILE.validate_json(data)
    except OSError as exc:
        return _warn(f"predictions file {path} is unreadable ({exc}); showing no predictions")
    except ValidationError:
        return _parse_odd_file(path, data)
    return {
        name: Prediction(
            e["predicted_folder"],
            e["confidence"],
            tuple((t["folder"], t["confidence"]) for t in e["top_predictions"]),
            e.get("new_kind", False),
        )
        for name, e in entries.items()
    }, None


def _parse_odd_file(path: Path, data: bytes) -> tuple[dict[str, Prediction], str | None]:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        return _warn(f"predictions file {path} is unreadable ({exc}); showing no predictions")
    if not isinstance(raw, dict):
        return _warn(f"predictions file {path} is not a JSON object; showing no predictions")
    out: dict[str, Prediction] = {}
    for name, item in raw.items():
        if (parsed := parse_prediction(item)) is not None:
            out[name] = parsed
    if skipped := len(raw) - len(out):
        message = f"predictions file {path}: skipped {skipped} entries that are not predictions"
        log.warning(message)
        return out, message
    return out, None


def _warn(message: str) -> tuple[dict[str, Prediction], str | None]:
    log.warning(message)
    return {}, message


def write_predictions(artifacts_dir: Path, predictions: dict[str, Prediction]) -> None:
    """Atomically replace predictions.json (the pipeline's predict stage calls this)."""
    payload = {name: p.to_json() for name, p in sorted(predictions.items())}
    write_json_atomic(Path(artifacts_dir) / artifacts.PREDICTIONS, payload)
