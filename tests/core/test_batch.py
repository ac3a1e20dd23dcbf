"""A batch (accept-all, a group filed with one key) is one undo step, and the journal that
records it stays readable next to lines written before batches existed."""

from __future__ import annotations

import json

import pytest

from vidsort_tui.core.batch import sort_batch
from vidsort_tui.core.errors import NothingToUndo
from vidsort_tui.core.journal import Journal
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts


def _unsorted(settings) -> set[str]:
    return {p.name for p in settings.data_dir.iterdir() if p.is_file()}


def test_one_undo_brings_back_a_whole_batch_and_only_it(library_factory):
    settings = library_factory({"sea": 1, "snow": 1}, unsorted=6)
    library = Library(settings)
    first, *batch = library.unsorted()
    library.sort(first, "snow")
    outcome = sort_batch(library, [(name, "sea") for name in batch])
    assert [s.filename for s in outcome.sorted] == batch and not outcome.failed
    assert _unsorted(settings) == set()

    undone = undo_sorts(library).undone
    assert sorted(e.filename for e in undone) == sorted(batch)  # one step: all five
    assert _unsorted(settings) == set(batch)
    assert [e.filename for e in undo_sorts(library).undone] == [first]  # then the sort before it
    with pytest.raises(NothingToUndo):
        undo_sorts(library)


def test_a_failure_part_way_keeps_what_was_moved_as_one_undoable_batch(library_factory):
    settings = library_factory({"sea": 1}, unsorted=4)
    library = Library(settings)
    names = library.unsorted()
    (settings.data_dir / "sea" / names[2]).write_bytes(b"taken")  # the third cannot move
    outcome = sort_batch(library, [(n, "sea") for n in names] + [("gone.mp4", "sea")])
    assert [s.filename for s in outcome.sorted] == [names[0], names[1], names[3]]
    assert [(f.filename, "already exists" in f.reason) for f in outcome.failed] == [
        (names[2], True), ("gone.mp4", False)
    ]  # fmt: skip
    assert (settings.data_dir / "sea" / names[2]).read_bytes() == b"taken"  # never overwritten
    assert len(undo_sorts(library).undone) == 3
    assert _unsorted(settings) == set(names)


def test_a_journal_that_cannot_be_written_stops_the_batch_and_loses_nothing(library_factory):
    settings = library_factory({"sea": 1}, unsorted=3)
    library = Library(settings)
    names = library.unsorted()
    library.journal.path.mkdir(parents=True)  # cannot be opened for writing (EISDIR)
    outcome = sort_batch(library, [(n, "sea") for n in names])
    assert not outcome.sorted and len(outcome.failed) == 3
    assert all("could not record" in f.reason for f in outcome.failed)  # stopped at the first
    assert _unsorted(settings) == set(names)


def test_old_journal_lines_and_batch_lines_are_read_side_by_side(library_factory):
    settings = library_factory({"sea": 1}, unsorted=4)
    library = Library(settings)
    old, *rest = library.unsorted()
    library.sort(old, "sea")
    journal = settings.artifacts_dir / "moves.jsonl"
    line = json.loads(journal.read_text())
    assert "batch" not in line  # a single sort's line is as it was before batches
    line.pop("undoes")  # an old writer's line without the optional fields
    journal.write_text(json.dumps(line) + "\n")
    sort_batch(library, [(n, "sea") for n in rest])
    bad = {**line, "id": "b" * 32, "batch": 7}  # a batch id of the wrong type: skipped
    empty = {**line, "id": "c" * 32, "batch": ""}
    with open(journal, "a") as f:
        f.write(json.dumps(bad) + "\n" + json.dumps(empty) + "\n")
    entries = Journal(journal).entries()
    assert [e.batch is None for e in entries] == [True, False, False, False]
    assert len({e.batch for e in entries[1:]}) == 1
    assert sorted(e.filename for e in undo_sorts(library).undone) == sorted(rest)
    assert [e.filename for e in undo_sorts(library).undone] == [old]
    assert "skipped 2 line(s)" in (library.journal.warning or "")


def test_undo_count_counts_steps(library_factory):
    settings = library_factory({"sea": 1}, unsorted=5)
    library = Library(settings)
    a, b, *batch = library.unsorted()
    library.sort(a, "sea")
    sort_batch(library, [(n, "sea") for n in batch])
    library.sort(b, "sea")
    assert len(undo_sorts(library, count=2).undone) == 1 + len(batch)
    assert _unsorted(settings) == {b, *batch}
