"""learning.json: when the model last read the library, and the refits so far.

The learning loop ("refit every N sorts") is counted from the journal, not by a counter in
one process: the TUI and every API worker count the same sorts, so two workers do not each
wait for N of them, and a TUI beside the page learns from the page's sorts too. Only the
pipeline job holding the retrain lock writes this file, so its read-modify-write never races.
Read back as hostile input: a file that is not a learning state counts as "no state".
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_json_atomic
from vidsort_tui.core.journal import JournalEntry

log = logging.getLogger(__name__)

#: refits whose (started, finished) times are kept, newest last
RECENT_REFITS = 20
#: how much of the journal's end is read to count recent sorts (about 5,000 lines)
JOURNAL_TAIL_BYTES = 1 << 20


@with_config(ConfigDict(strict=True, allow_inf_nan=False))  # how the file is validated
@dataclass
class LearningState:
    #: when the job that made the current model read the library (sorts after it are new)
    library_read_at: float | None = None
    #: refits run so far in this artifacts folder
    refits: int = 0
    #: (started, finished) of the latest refits, oldest first
    recent: list[tuple[float, float]] = field(default_factory=list)


_STATE = TypeAdapter(LearningState)


def read_learning(artifacts_dir: Path) -> LearningState:
    path = Path(artifacts_dir) / artifacts.LEARNING
    try:
        return _STATE.validate_json(read_regular(path, 1 << 16))
    except FileNotFoundError:
        return LearningState()
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s, which is not a learning state: %s", path, str(exc)[:200])
        return LearningState()


def record_learning(
    artifacts_dir: Path, read_at: float, refit: tuple[float, float] | None = None
) -> LearningState:
    """The model now reflects the library as read at ``read_at``; ``refit``: the (started,
    finished) times of the refit that made it. Only the retrain lock's holder calls this."""
    state = read_learning(artifacts_dir)
    state.library_read_at = read_at
    if refit is not None:
        state.refits += 1
        state.recent = [*state.recent, refit][-RECENT_REFITS:]
    write_json_atomic(Path(artifacts_dir) / artifacts.LEARNING, asdict(state))
    return state


def sorts_since(journal_path: Path, since: float, at_most: int | None = None) -> int:
    """Sorts journalled after ``since`` (from the journal's last MiB: enough for any N);
    counting stops at ``at_most`` (whether a refit is due needs no more, and every sort asks)."""
    try:
        fd = os.open(journal_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return 0
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return 0
        start = max(0, st.st_size - JOURNAL_TAIL_BYTES)
        tail = os.pread(fd, st.st_size - start, start)
    finally:
        os.close(fd)
    lines = tail.splitlines()[1 if start else 0 :]  # the first may be cut
    count = 0
    for line in reversed(lines):
        try:
            entry = JournalEntry.model_validate_json(line)
        except ValidationError:
            continue
        if entry.at <= since or (at_most is not None and count >= at_most):
            break
        count += entry.op == "sort"
    return count


def sorts_since_model(artifacts_dir: Path, at_most: int | None = None) -> int | None:
    """Sorts since the current model read the library (up to ``at_most``); None when there
    is no model."""
    model = Path(artifacts_dir) / artifacts.MODEL
    try:
        model_time = os.stat(model).st_mtime
    except OSError:
        return None
    since = read_learning(artifacts_dir).library_read_at
    # A model made before learning.json existed counts from its own time.
    since = model_time if since is None else since
    return sorts_since(Path(artifacts_dir) / artifacts.JOURNAL, since, at_most)
