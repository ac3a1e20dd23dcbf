"""Undo treats the journal and the folders as input: hostile lines, wrong types, a category
replaced by a symlink, a blocked sort the user chooses to skip."""

from __future__ import annotations

import json

import pytest

from vidsort_tui.core.errors import NothingToUndo, UndoRefused
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts


def _line(**fields) -> bytes:
    entry = {"id": "f" * 32, "op": "sort", "filename": "7000.mp4", "src": "", "dst": "sea",
             "at": 1.0, "undoes": None}  # fmt: skip
    return (json.dumps({**entry, **fields}) + "\n").encode()


def test_journal_lines_that_break_the_rules_are_never_acted_on(library_factory, tmp_path):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    name = library.unsorted()[0]
    library.sort(name, "sea")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "bait.mp4").write_bytes(b"not yours")
    (tmp_path / "bait.mp4").write_bytes(b"not yours either")
    hostile = [
        _line(id="a" * 32, filename="bait.mp4", dst="../outside"),
        _line(id="b" * 32, filename="bait.mp4", dst="../../" + outside.name),
        _line(id="c" * 32, filename="../bait.mp4", dst="sea"),
        _line(id="d" * 32, filename="bait.mp4", src="../outside", dst="sea"),
        _line(id="e" * 32, filename="bait.mp4", dst=str(outside)),
        _line(id="f" * 32, filename="bait.mp4", dst="."),
        _line(id="g" * 32, filename=5, dst="sea"),  # wrong types: skipped, not fatal
        _line(id="h" * 32, filename=name, dst=["sea"]),
        _line(id="i" * 32, at="yesterday"),
        _line(id="j" * 32, op="delete"),
        b'{"id": 7}\n',
        b"[1, 2, 3]\n",
        b"\xff\xfe not utf-8\n",
        b'{"id": "k", "op": "sort", "filename": "x.mp4", "src": "", "dst": "sea", "at": NaN}\n',
    ]
    with open(settings.artifacts_dir / "moves.jsonl", "ab") as journal:
        journal.writelines(hostile)
    assert [e.filename for e in undo_sorts(library).undone] == [name]  # the real sort, and only it
    with pytest.raises(NothingToUndo):
        undo_sorts(library)
    assert (outside / "bait.mp4").read_bytes() == b"not yours"
    assert (tmp_path / "bait.mp4").read_bytes() == b"not yours either"
    assert sorted(p.name for p in settings.data_dir.iterdir()) == sorted([name, "sea"])
    assert "skipped" in (library.journal.warning or "")


def test_undo_does_not_follow_a_category_replaced_by_a_symlink(library_factory, tmp_path):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    name = library.unsorted()[0]
    library.sort(name, "sea")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / name).write_bytes(b"outside file with the same name")
    (settings.data_dir / "sea").rename(settings.data_dir / ".sea-real")
    (settings.data_dir / "sea").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UndoRefused, match="no longer in 'sea'"):
        undo_sorts(library)
    assert (outside / name).read_bytes() == b"outside file with the same name"
    assert not (settings.data_dir / name).exists()
    assert (settings.data_dir / ".sea-real" / name).exists()


def test_a_blocked_undo_can_be_skipped_so_older_sorts_work_again(library_factory):
    settings = library_factory({"sea": 1}, unsorted=3)
    library = Library(settings)
    first, second, third = library.unsorted()
    for name in (first, second, third):
        library.sort(name, "sea")
    (settings.data_dir / third).write_bytes(b"a new download with the same name")
    with pytest.raises(UndoRefused, match="skip_blocked"):
        undo_sorts(library)
    with pytest.raises(UndoRefused):
        undo_sorts(library)  # refusing changes nothing: still blocked
    assert [e.filename for e in undo_sorts(library, skip_blocked=True).undone] == [second]
    assert (settings.data_dir / third).read_bytes() == b"a new download with the same name"
    assert (settings.data_dir / "sea" / third).exists()
    assert [e.filename for e in undo_sorts(library).undone] == [first]  # the skipped one is history
    with pytest.raises(NothingToUndo):
        undo_sorts(library)
