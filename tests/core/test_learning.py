"""learning.json and the journal count behind "refit every N sorts" (shared by every process)."""

from __future__ import annotations

import os

from vidsort_tui.core import artifacts
from vidsort_tui.core.journal import Journal, JournalEntry
from vidsort_tui.core.learning import (
    JOURNAL_TAIL_BYTES,
    read_learning,
    record_learning,
    sorts_since,
    sorts_since_model,
)


def entry(op: str, at: float) -> JournalEntry:
    return JournalEntry(id=f"{op}{at}", op=op, filename="1.mp4", src="", dst="sea", at=at)


def test_counts_the_sorts_after_the_time_and_only_sorts(tmp_path):
    journal = Journal(tmp_path / artifacts.JOURNAL)
    for e in [entry("sort", 1), entry("sort", 2), entry("undo", 3), entry("sort", 4),
              entry("forget", 5), entry("sort", 6)]:  # fmt: skip
        journal.append(e)
    with open(journal.path, "ab") as f:
        f.write(b'not json\n{"op": "sort"}\n')  # hostile lines are skipped, not counted
    assert sorts_since(journal.path, 0) == 4
    assert sorts_since(journal.path, 2) == 2
    assert sorts_since(journal.path, 6) == 0
    assert sorts_since(tmp_path / "none.jsonl", 0) == 0
    assert sorts_since(journal.path, 0, at_most=3) == 3  # enough to tell a refit is due


def test_a_long_journal_is_read_from_its_end_only(tmp_path):
    journal = Journal(tmp_path / artifacts.JOURNAL)
    line = entry("sort", 1).line()
    with open(journal.path, "wb") as f:
        f.write(line * (2 * JOURNAL_TAIL_BYTES // len(line)))
    journal.append(entry("sort", 10))
    journal.append(entry("sort", 11))
    assert sorts_since(journal.path, 5) == 2
    assert 0 < sorts_since(journal.path, 0) <= JOURNAL_TAIL_BYTES // len(line)


def test_a_fifo_journal_is_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / artifacts.JOURNAL)
    assert sorts_since(tmp_path / artifacts.JOURNAL, 0) == 0


def test_record_and_read_back_with_a_bounded_history(tmp_path):
    assert read_learning(tmp_path).refits == 0
    for i in range(25):
        record_learning(tmp_path, float(i), (float(i), i + 0.5))
    state = record_learning(tmp_path, 100.0)  # a full retrain: no refit counted
    assert read_learning(tmp_path) == state
    assert state.library_read_at == 100.0 and state.refits == 25
    assert len(state.recent) == 20 and state.recent[-1] == (24.0, 24.5)


def test_a_hostile_learning_file_reads_as_no_state(tmp_path):
    for bad in [b"[]", b'{"refits": "many"}', b'{"library_read_at": NaN}', b"\xff"]:
        (tmp_path / artifacts.LEARNING).write_bytes(bad)
        assert read_learning(tmp_path).library_read_at is None
    (tmp_path / artifacts.LEARNING).unlink()
    os.symlink("/etc/passwd", tmp_path / artifacts.LEARNING)
    assert read_learning(tmp_path).refits == 0


def test_sorts_since_the_model(tmp_path):
    journal = Journal(tmp_path / artifacts.JOURNAL)
    journal.append(entry("sort", 1))
    assert sorts_since_model(tmp_path) is None  # no model: nothing to refit
    (tmp_path / artifacts.MODEL).write_bytes(b"model")
    os.utime(tmp_path / artifacts.MODEL, (0.5, 0.5))
    assert sorts_since_model(tmp_path) == 1  # no learning.json: counted from the model's time
    record_learning(tmp_path, 1.0)
    assert sorts_since_model(tmp_path) == 0
