"""A retrain's result in words for a person.

The documented API keeps the original server's "Failed at train.py: <error>"; the terminal
app says which step failed in plain words, and where the details are. A retrain that worked
but could not read some files says which, since they stay without a prediction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def skipped_text(skipped: Mapping[str, str], artifacts_dir: Path, shown: int = 3) -> str | None:
    """ "2 files could not be read, so they have no prediction: a.mp4 (why), b.mp4 (why)";
    None when every file was read. Names as read back from disk: the caller escapes them."""
    if not skipped:
        return None
    count = len(skipped)
    lines = [f"{name} ({why})" for name, why in sorted(skipped.items())[:shown]]
    if count > shown:
        lines.append(
            f"and {count - shown} more: every one in {Path(artifacts_dir) / names.METRICS}"
        )
    files = "1 file" if count == 1 else f"{count} files"
    return (
        f"{files} could not be read, so {'it has' if count == 1 else 'they have'} no prediction:\n"
        + "\n".join(lines)
    )
