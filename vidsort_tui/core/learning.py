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
from vidsort_tui.core.journal import Journal, JournalEntry

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
    """Sorts journalled after ``since``, newest first from moves.jsonl's last MiB, then --
    when it reaches back no further than ``since`` -- from the compacted snapshot's last MiB
    (journal.py). Enough for any N; counting stops at ``at_most`` (whether a refit is due
    needs no more, and every sort asks). A sort in both files is counted once."""
    count = 0
    seen: set[str] = set()
    for path in (journal_path, Journal(journal_path).snapshot_path):
        tail, whole = _tail(path)
        for line in reversed(tail):
            try:
                entry = JournalEntry.model_validate_json(line)
            except ValidationError:
                continue  # not an entry (a torn line, compaction's mark)
            if entry.at <= since or (at_most is not None and count >= at_most):
                return count
            if entry.op == "sort" and entry.id not in seen:
                seen.add(entry.id)
                count += 1
        if not whole:  # the older lines were not read: they do not count
            break
    return count


def _tail(path: Path) -> tuple[list[bytes], bool]:
    """The last MiB's whole lines, and whether that was the whole file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return [], True
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return [], True
        start = max(0, st.st_size - JOURNAL_TAIL_BYTES)
        tail = os.pread(fd, st.st_size - start, start)
    finally:
        os.close(fd)
    return tail.splitlines()[1 if start else 0 :], start == 0  # the first may be cut


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
