"""Journal compaction: settled history folded away, everything undoable kept and undone in
order across restarts, batches whole, the learning loop's count intact, hostile snapshots
refused. (Kills at every step of a compaction: tests/reliability/test_crash_compaction.py.)"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter

import pytest

from vidsort_tui.core import artifacts, compaction
from vidsort_tui.core.batch import sort_batch
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import JournalUnavailable, NothingToUndo, UndoRefused
from vidsort_tui.core.journal import Journal
from vidsort_tui.core.learning import record_learning, sorts_since, sorts_since_model
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts


@pytest.fixture
def small_thresholds(monkeypatch):
    """Compaction once moves.jsonl passes 2 KiB (about 14 lines), keeping 6 lines: it runs
    every few sorts."""
    monkeypatch.setattr(compaction, "COMPACT_AT_BYTES", 2 * 1024)
    monkeypatch.setattr(compaction, "KEEP_LINES", 6)


def plain_library(tmp_path, videos: int, folders=("a", "b")) -> tuple[Library, list[str]]:
    data = tmp_path / "videos"
    for folder in folders:
        (data / folder).mkdir(parents=True)
    names = [f"{7700000000000000 + i}.mp4" for i in range(videos)]
    for name in names:
        (data / name).write_bytes(name.encode() * 50)
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art"}, environ={})
    return Library(settings), names


def where(library: Library, name: str) -> str:
    return library.locate(name).parent.name if library.locate(name).parent != library.root else ""


def journal_lines(journal: Journal) -> tuple[list[dict], list[dict]]:
    def read(path):
        if not path.exists():
            return []
        out = []
        for line in path.read_bytes().splitlines():
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out

    return read(journal.path), read(journal.snapshot_path)


def test_every_undoable_sort_survives_compaction_and_undoes_newest_first(
    tmp_path, small_thresholds
):
    library, names = plain_library(tmp_path, 60)
    for i, name in enumerate(names):
        library.sort(name, "ab"[i % 2])
        if i % 5 == 4:
            undo_sorts(library)  # settled pairs: sorted, then undone
            library.sort(name, "b")  # and sorted again
    recent, snapshot = journal_lines(library.journal)
    assert snapshot and len(recent) < 40  # compacted, more than once
    assert all(line["op"] == "sort" for line in snapshot)
    pending = library.journal.pending_sorts()
    assert [e.filename for e in pending] == names  # each once, in the order filed
    assert len({e.id for e in library.journal.entries()}) == len(library.journal.entries())
    # A new process (a restart) undoes all of it, newest first, 100 steps at a time.
    again = Library(library.settings)
    undone = [e.filename for e in undo_sorts(again, 25).undone] + [
        e.filename for e in undo_sorts(again, 100).undone
    ]
    assert undone == names[::-1]
    assert sorted(p.name for p in library.root.iterdir() if p.is_file()) == sorted(names)
    with pytest.raises(NothingToUndo):
        undo_sorts(again)


def test_settled_pairs_and_bad_lines_are_dropped_from_both_files(tmp_path, small_thresholds):
    library, names = plain_library(tmp_path, 40)
    library.journal.path.parent.mkdir()
    with open(library.journal.path, "ab") as journal:
        journal.write(b'{"torn": \n')
    for name in names:
        library.sort(name, "a")
        undo_sorts(library)
    recent, snapshot = journal_lines(library.journal)
    assert snapshot == [] and len(recent) < 20  # 80 lines written, 2 KiB at most kept
    assert b"torn" not in library.journal.path.read_bytes()
    with pytest.raises(NothingToUndo):
        undo_sorts(library)


def test_a_batch_is_never_split_by_compaction(tmp_path, small_thresholds):
    library, names = plain_library(tmp_path, 30)
    library.sort(names[0], "a")
    outcome = sort_batch(library, [(n, "b") for n in names[1:20]])  # 19 lines, more than kept
    first = sort_batch(library, [(n, "a") for n in names[20:23]])
    library.sort(names[23], "a")
    sort_batch(library, [(n, "a") for n in names[23 + 1 : 26]], batch=first.batch)  # continued
    compaction.compact(library.journal)
    assert journal_lines(library.journal)[1]  # something was folded
    assert sorted(e.filename for e in undo_sorts(library).undone) == sorted(
        [*names[20:23], *names[24:26]]
    )
    assert [e.filename for e in undo_sorts(library).undone] == [names[23]]
    assert sorted(e.filename for e in undo_sorts(library).undone) == sorted(names[1:20])  # one step
    assert outcome.batch and [e.filename for e in undo_sorts(library).undone] == [names[0]]


def test_skip_blocked_and_moved_on_reach_into_the_snapshot(tmp_path, small_thresholds):
    library, names = plain_library(tmp_path, 30)
    for name in names:
        library.sort(name, "a")
    assert journal_lines(library.journal)[1]
    oldest, second = names[0], names[1]
    (library.root / second).write_bytes(b"another file took its name")  # blocked
    os.rename(library.root / "a" / oldest, library.root / "b" / oldest)  # moved on
    assert len(undo_sorts(library, 28).undone) == 28
    with pytest.raises(UndoRefused, match="skip_blocked"):
        undo_sorts(library)
    with pytest.raises(UndoRefused, match="no longer in"):  # the blocked one is dropped,
        undo_sorts(library, skip_blocked=True)  # then the next older one has moved on
    with pytest.raises(NothingToUndo):
        undo_sorts(library)
    compaction.compact(library.journal)  # the forgets settle snapshot sorts: rebuilt
    assert library.journal.pending_sorts() == []
    assert where(library, oldest) == "b" and (library.root / "a" / second).exists()


def test_the_learning_loop_still_counts_every_sort_that_stands(tmp_path, small_thresholds):
    library, names = plain_library(tmp_path, 50)
    since = 0.0
    for i, name in enumerate(names[:40]):
        library.sort(name, "a")
        if i == 9:
            since = library.journal.pending_sorts()[-1].at  # a model read the library here
    assert journal_lines(library.journal)[1]  # the sorts after ``since`` are partly folded
    assert sorts_since(library.journal.path, since) == 30
    assert sorts_since(library.journal.path, since, at_most=25) == 25  # a refit is due
    assert sorts_since(library.journal.path, 0) == 40
    art = library.settings.artifacts_dir  # as the learning loop asks: since the model read
    (art / artifacts.MODEL).write_bytes(b"a model")
    record_learning(art, since)
    assert sorts_since_model(art, at_most=30) == 30  # refit_every = 30: due after 30 sorts


def test_a_hostile_snapshot_is_never_followed_nor_acted_on(tmp_path, small_thresholds):
    library, names = plain_library(tmp_path, 20)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "bait.mp4").write_bytes(b"not yours")
    for name in names:
        library.sort(name, "a")
    snapshot = library.journal.snapshot_path
    good = snapshot.read_bytes()
    hostile = json.dumps({"id": "e" * 32, "op": "sort", "filename": "bait.mp4", "src": "",
                          "dst": "../outside", "at": 1.0})  # fmt: skip
    snapshot.write_bytes(hostile.encode() + b"\n" + good + b"not json\n")
    assert Counter(e.filename for e in undo_sorts(library, 100).undone) == Counter(names)
    assert (outside / "bait.mp4").read_bytes() == b"not yours"
    for name in names:
        library.sort(name, "a")
    snapshot.unlink()
    os.mkfifo(snapshot)  # a FIFO: never opened for reading, never waited on
    assert [e.filename for e in undo_sorts(library).undone] == [
        names[-1]
    ]  # recent history still works
    compaction.compact_if_due(library.journal)  # refused, logged, nothing changed
    assert snapshot.is_fifo()
    with pytest.raises(JournalUnavailable):
        undo_sorts(library, 100)
        undo_sorts(library, 100)
    snapshot.unlink()
    snapshot.symlink_to(outside / "bait.mp4")
    with pytest.raises((JournalUnavailable, NothingToUndo)):
        for _ in range(30):
            undo_sorts(library, 100)
    assert (outside / "bait.mp4").read_bytes() == b"not yours"


def test_an_old_journal_is_compacted_once_then_undo_reads_little(tmp_path):
    """A journal written before compaction existed: the first sort folds it, once."""
    library, names = plain_library(tmp_path, 3)
    old = [json.dumps({"id": f"{i:032x}", "op": "sort", "filename": f"{i:016d}.mp4", "src": "",
                       "dst": "a", "at": 1.0 + i}) for i in range(5000)]  # fmt: skip
    library.journal.path.parent.mkdir(parents=True, exist_ok=True)
    library.journal.path.write_text("\n".join(old) + "\n")
    library.sort(names[0], "a")
    recent, snapshot = journal_lines(library.journal)
    assert len(snapshot) == 5000 - compaction.KEEP_LINES + 1 and len(recent) <= 202
    assert [e.filename for e in undo_sorts(library).undone] == [names[0]]
    assert len(library.journal.pending_sorts()) == 5000
