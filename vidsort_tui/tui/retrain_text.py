"""A retrain's result in words for a person.

The documented API keeps the original server's "Failed at train.py: <error>"; the terminal
app says which step failed in plain words, and where the details are.
"""

from __future__ import annotations

import re
from pathlib import Path

from vidsort_tui.core import artifacts as names
from vidsort_tui.services.job_status import stage_label

_FAILED = re.compile(r"Failed at (?P<stage>[\w.]+): (?P<reason>.*)", re.DOTALL)


def failure_text(last_result: str | None, artifacts_dir: Path) -> str:
    """ "Failed at train.py: need …" -> "Retrain failed while training: need … (log: …)"."""
    artifacts = Path(artifacts_dir)
    kept = (
        "the previous model stays in use"
        if (artifacts / names.MODEL).exists()
        else "there is no model yet"
    )
    after = f". Nothing was lost: {kept}; details in {artifacts / names.RETRAIN_LOG}"
    match = _FAILED.fullmatch((last_result or "").strip())
    if match is None:
        return f"Retrain failed: {(last_result or 'no reason was recorded').strip()}{after}"
    step = stage_label(match["stage"])
    return f"Retrain failed while {step}: {match['reason'].strip().rstrip('.')}{after}"
