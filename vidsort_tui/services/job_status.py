"""The shared retrain status (``retrain_status.json``): the documented ``running`` /
``last_result`` plus progress, and the stages' names and words. A status that says
"running" while nobody holds the lock (job_lock.py) is a dead run and is read as failed.

Read by the TUI, every API worker and --retrain; written by the job (services/retrain.py)
and by jobs.py when a start fails. Never imports the pipeline.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypedDict

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

from vidsort_tui.core import artifacts as names
from vidsort_tui.core.atomic import read_regular, write_bytes_reserving
from vidsort_tui.services.job_lock import is_locked

log = logging.getLogger(__name__)

#: The retrain's stages as the documented status names them ("Failed at train.py: ...").
STAGES = ("extract_features.py", "train.py", "predict.py")
#: What a person reads for each stage: the TUI, --retrain and the page (via the API) say this.
STAGE_LABELS = {
    "extract_features.py": "extracting features",
    "train.py": "training",
    "predict.py": "predicting",
    "refit": "refitting after sorts",
}
#: what the status says while a refit holds the lock (a refit never writes the status file)
REFIT_STAGE = "refit"


@dataclass(frozen=True)
class ProgressEvent:
    stage: str  # one of STAGES
    done: int
    total: int

    @property
    def label(self) -> str:
        return stage_label(self.stage)


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS.get(stage or "", stage or "")


class StatusBody(TypedDict):
    """GET /api/retrain/status, as documented."""

    running: bool
    last_result: str | None


def progress_text(stage: str | None, done: int, total: int) -> str:
    """A running job's stage in words, with counts where there are some to count:
    "extracting features 12/90", "training", "predicting" (the TUI's live status)."""
    label = stage_label(stage) or "starting"
    if stage == STAGES[0] and total > 0:
        return f"{label} {done}/{total}"
    return f"{label}…"


@with_config(ConfigDict(strict=True, allow_inf_nan=False))  # how the file is validated
@dataclass
class RetrainStatus:
    running: bool = False
    last_result: str | None = None
    stage: str | None = None
    done: int = 0
    total: int = 0
    message: str | None = None
    pid: int | None = None
    started_at: float | None = None
    finished_at: float | None = None

    def to_api(self) -> StatusBody:
        """The documented body of GET /api/retrain/status."""
        return {"running": self.running, "last_result": self.last_result}


_STATUS = TypeAdapter(RetrainStatus)
#: Status files are padded to this size, so a final status can always be written in place
#: when the disk is full (a retrain then still says why it failed).
STATUS_RESERVE = 8192


def read_status(artifacts_dir: Path) -> RetrainStatus:
    """The shared status; a "running" status whose process died reads as failed.

    The file is validated; one that is not a status (wrong types, a FIFO, a link) is
    ignored with a warning, and whether a retrain runs is then told by the lock alone.
    """
    path = Path(artifacts_dir) / names.RETRAIN_STATUS
    try:
        status = _STATUS.validate_json(read_regular(path, 1 << 20))
    except FileNotFoundError:
        status = RetrainStatus()
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s, which is not a retrain status: %s", path, str(exc)[:200])
        status = RetrainStatus(running=is_locked(artifacts_dir))
        if status.running:
            return status
    locked = is_locked(artifacts_dir)
    if status.running and not locked:
        stage = status.stage or STAGES[0]
        status.running = False
        status.last_result = f"Failed at {stage}: the retrain process stopped unexpectedly"
    elif locked and not status.running:  # a refit (which leaves the file alone) holds it:
        status.running, status.stage = True, REFIT_STAGE  # a retrain would be refused now
        status.done = status.total = 0
    return status


def _status_bytes(status: RetrainStatus) -> bytes:
    fields = asdict(status)
    for key, limit in (("last_result", 1000), ("message", 500)):  # always fits the reserve
        if isinstance(fields[key], str):
            fields[key] = fields[key][:limit]
    return json.dumps(fields, ensure_ascii=False).encode()


def write_status_or_raise(
    artifacts_dir: Path, status: RetrainStatus, in_place: bool = True
) -> None:
    path = Path(artifacts_dir) / names.RETRAIN_STATUS
    write_bytes_reserving(path, _status_bytes(status), STATUS_RESERVE, in_place)


def write_status(artifacts_dir: Path, status: RetrainStatus) -> None:
    """Best effort: a full disk must not turn a retrain's failure into a crash."""
    try:
        write_status_or_raise(artifacts_dir, status)
    except OSError as exc:
        log.warning("cannot write the retrain status: %s", exc)
