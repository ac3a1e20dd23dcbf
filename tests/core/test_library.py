"""Library scan, locate, sort, folders and undo on real files in temporary folders."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import (
    AlreadyExists,
    InvalidFolder,
    LibraryMissing,
    NotFound,
    NothingToUndo,
    UndoRefused,
)
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layout(root: Path) -> dict[str, str]:
    """Every regular file under root (relative path -> sha256), symlinks excluded."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                out[str(path.relative_to(root))] = digest(path)
    return out


def test_scan_lists_unsorted_and_counts(library_factory):
    settings = library_factory({"sea": 3, "fire": 2, "forest": 0}, unsorted=4)
    (settings.data_dir / "notes.txt").write_text("not a video")
    (settings.data_dir / ".hidden").mkdir()
    (settings.data_dir / "sea" / "readme.md").write_text("not a video either")
    snapshot = Library(settings).scan()
    assert len(snapshot.unsorted) == 4 and snapshot.unsorted == sorted(snapshot.unsorted)
    assert [(f.name, f.count) for f in snapshot.folders] == [("fire", 2), ("forest", 0), ("sea", 3)]
    assert Library(settings).unsorted() == snapshot.unsorted


def test_symlink_out_of_data_dir_is_neither_listed_nor_moved_nor_served(library_factory, tmp_path):
    settings = library_factory({"sea": 1}, unsorted=1)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "7999999999999999.mp4"
    secret.write_bytes(b"secret")
    (settings.data_dir / secret.name).symlink_to(secret)
    (settings.data_dir / "escape").symlink_to(outside, target_is_directory=True)
    library = Library(settings)
    snapshot = library.scan()
    assert secret.name not in snapshot.unsorted
    assert "escape" not in snapshot.categories
    with pytest.raises(NotFound):
        library.locate(secret.name)
    with pytest.raises(NotFound):
        library.sort(secret.name, "sea")
    with pytest.raises(InvalidFolder):
        library.sort(snapshot.unsorted[0], "escape")
    assert secret.read_bytes() == b"secret" and (settings.data_dir / secret.name).is_symlink()
    assert not (settings.data_dir / "sea" / secret.name).exists()


def test_sort_moves_the_file_and_journals_it(library_factory):
    settings = library_factory({"sea": 1, "fire": 1}, unsorted=2)
    library = Library(settings)
    name = library.unsorted()[0]
    before = digest(settings.data_dir / name)
    outcome = library.sort(name, "fire")
    assert outcome.filename == name and outcome.folder == "fire"
    assert not (settings.data_dir / name).exists()
    assert digest(settings.data_dir / "fire" / name) == before
    assert library.locate(name) == settings.data_dir / "fire" / name
    lines = (settings.artifacts_dir / "moves.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["filename"] == name and json.loads(lines[-1])["dst"] == "fire"
    with pytest.raises(NotFound):
        library.sort(name, "sea")  # already sorted


def test_sorting_onto_an_existing_name_fails_and_leaves_both_files(library_factory):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    name = library.unsorted()[0]
    clash = settings.data_dir / "sea" / name
    clash.write_bytes(b"the user's other video")
    before = layout(settings.data_dir)
    with pytest.raises(AlreadyExists, match="already exists in sea"):
        library.sort(name, "sea")
    assert layout(settings.data_dir) == before


def test_locate_prefers_the_root_then_folders(library_factory):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=0)
    library = Library(settings)
    name = library.scan().categories["sea"][0]
    assert library.locate(name) == settings.data_dir / "sea" / name
    (settings.data_dir / name).write_bytes(b"root copy")
    assert library.locate(name) == settings.data_dir / name
    (settings.data_dir / "dir.mp4").mkdir()
    with pytest.raises(NotFound):
        library.locate("dir.mp4")


def test_undo_three_times_restores_the_original_layout(library_factory):
    settings = library_factory({"sea": 1, "fire": 1, "snow": 1}, unsorted=3)
    library = Library(settings)
    original = layout(settings.data_dir)
    for name, folder in zip(library.unsorted(), ["sea", "fire", "snow"], strict=True):
        library.sort(name, folder)
    assert library.unsorted() == []
    undone = [undo_sorts(library).undone[0].dst for _ in range(3)]
    assert undone == ["snow", "fire", "sea"]  # newest first
    assert layout(settings.data_dir) == original
    with pytest.raises(NothingToUndo):
        undo_sorts(library)


def test_undo_many_at_once_and_across_library_instances(library_factory):
    settings = library_factory({"sea": 1}, unsorted=2)
    names = Library(settings).unsorted()
    for name in names:
        Library(settings).sort(name, "sea")
    assert [e.filename for e in undo_sorts(Library(settings), 2).undone] == names[::-1]
    assert Library(settings).unsorted() == names


def test_undo_refuses_cleanly_when_the_video_moved_on(library_factory):
    settings = library_factory({"sea": 1, "fire": 1}, unsorted=2)
    library = Library(settings)
    first, second = library.unsorted()
    library.sort(first, "sea")
    library.sort(second, "sea")
    os.rename(settings.data_dir / "sea" / second, settings.data_dir / "fire" / second)
    with pytest.raises(UndoRefused, match="no longer in 'sea'"):
        undo_sorts(library)
    assert (settings.data_dir / "fire" / second).exists()
    # The moved-on sort is dropped from history, so the older one is still undoable.
    assert [e.filename for e in undo_sorts(library).undone] == [first]
    assert (settings.data_dir / first).exists()


def test_undo_refuses_when_the_old_place_is_taken(library_factory):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    name = library.unsorted()[0]
    library.sort(name, "sea")
    (settings.data_dir / name).write_bytes(b"a new download with the same name")
    before = layout(settings.data_dir)
    with pytest.raises(UndoRefused, match="back in the unsorted folder"):
        undo_sorts(library)
    assert layout(settings.data_dir) == before
    (settings.data_dir / name).unlink()
    assert [e.filename for e in undo_sorts(library).undone] == [name]


def test_journal_survives_a_torn_last_line(library_factory):
    settings = library_factory({"sea": 1}, unsorted=2)
    library = Library(settings)
    first, second = library.unsorted()
    library.sort(first, "sea")
    with open(settings.artifacts_dir / "moves.jsonl", "ab") as handle:
        handle.write(b'{"id": "torn", "op": "so')  # a writer killed mid-line
    library.sort(second, "sea")
    assert [e.filename for e in library.journal.pending_sorts()] == [first, second]
    assert [e.filename for e in undo_sorts(library, 2).undone] == [second, first]


def test_create_folder(library_factory):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    assert library.create_folder("new stuff").name == "new stuff"
    assert "new stuff" in library.scan().categories
    with pytest.raises(AlreadyExists):
        library.create_folder("new stuff")
    library.sort(library.unsorted()[0], "new stuff")
    assert {f.name: f.count for f in library.scan().folders}["new stuff"] == 1


def test_missing_data_dir_gives_a_clear_message(tmp_path):
    library = Library(Settings.load({"data_dir": tmp_path / "nope"}, environ={}))
    for call in (
        library.scan,
        library.unsorted,
        library.folder_names,
        lambda: library.locate("1.mp4"),
    ):
        with pytest.raises(LibraryMissing, match=r"does not exist: create it, or point --data"):
            call()


def test_listing_stays_right_when_the_name_memo_is_reset(library_factory):
    settings = library_factory({"sea": 1}, unsorted=3)
    library = Library(settings)
    names = library.unsorted()
    library.names._memo.update((f"junk{i}", False) for i in range(1_000_001))  # over the bound
    (settings.data_dir / "7999000000000000.mp4").write_bytes(b"new")
    assert library.unsorted() == sorted([*names, "7999000000000000.mp4"])


def test_a_directory_named_like_a_video_is_never_a_category(library_factory):
    """One rule everywhere: create, sort, scan, lookup and undo all refuse it."""
    settings = library_factory({"sea": 1}, unsorted=2)
    library = Library(settings)
    first, second = library.unsorted()
    with pytest.raises(InvalidFolder, match="named like a video"):
        library.create_folder("9999.mp4")
    (settings.data_dir / "9999.mp4").mkdir()  # made by another program
    with pytest.raises(InvalidFolder):
        library.sort(first, "9999.mp4")
    assert (settings.data_dir / first).exists()
    assert "9999.mp4" not in library.scan().categories
    assert library.scan().irregular["9999.mp4"] == "a directory"
    os.rename(settings.data_dir / second, settings.data_dir / "9999.mp4" / second)
    with pytest.raises(NotFound):
        library.locate(second)  # its videos are not served either
    with open(settings.artifacts_dir / "moves.jsonl", "ab") as journal:
        line = {"id": "1" * 32, "op": "sort", "filename": second, "src": "", "dst": "9999.mp4",
                "at": 1.0}  # fmt: skip
        journal.write((json.dumps(line) + "\n").encode())
    with pytest.raises(NothingToUndo):
        undo_sorts(library)
    assert (settings.data_dir / "9999.mp4" / second).exists()


def test_names_that_are_not_utf8_or_hold_a_backslash_are_reported_with_a_reason(
    library_factory,
):
    settings = library_factory({"sea": 1}, unsorted=1)
    root = os.fsencode(settings.data_dir)
    for name in (b"caf\xe9.mp4", b"sea/\xff\xfe.mov", b"back\\slash.mp4", b"tab\t.mkv"):
        with open(root + b"/" + name, "wb") as handle:
            handle.write(b"x")
    (settings.data_dir / "notes\\.txt").write_bytes(b"not a video at all")
    snapshot = Library(settings).scan()
    assert snapshot.irregular == {
        "caf\\xe9.mp4": "a file whose name is not valid UTF-8 (rename it to sort it)",
        "sea/\\xff\\xfe.mov": "a file whose name is not valid UTF-8 (rename it to sort it)",
        "back\\\\slash.mp4": "a file whose name contains a backslash (rename it to sort it)",
        "tab\\t.mkv": "a file whose name contains a control character (rename it to sort it)",
    }
    assert len(snapshot.unsorted) == 1 and len(snapshot.categories["sea"]) == 1


def test_leftover_intent_temp_files_are_swept(library_factory):
    settings = library_factory({"sea": 1}, unsorted=1)
    for i in range(3):  # what killed link+unlink moves of earlier versions left behind
        (settings.artifacts_dir / f".moves.lock.intent.{i}abc.tmp").write_bytes(b"[")
    Library(settings).finish_interrupted_moves()
    assert not list(settings.artifacts_dir.glob("*.tmp"))


def cut_move(settings: Settings) -> str:
    """What a kill between the link and the unlink of a move into sea leaves: the video under
    both names, and the intent that says which move it was."""
    name = Library(settings).unsorted()[0]
    os.link(settings.data_dir / name, settings.data_dir / "sea" / name)
    intent = {"src": "", "dst": "sea", "name": name}
    (settings.artifacts_dir / "moves.lock.intent").write_text(json.dumps(intent))
    return name


def test_building_and_reading_a_library_finishes_no_move(library_factory):
    """A reader never writes: only finish_interrupted_moves, called where a process that
    moves videos starts, completes a cut move."""
    settings = library_factory({"sea": 1}, unsorted=1)
    name = cut_move(settings)
    library = Library(settings)
    library.scan(), library.unsorted(), library.open_video(name).close()
    assert (settings.data_dir / name).exists() and (settings.data_dir / "sea" / name).exists()
    assert (settings.artifacts_dir / "moves.lock.intent").exists()
    library.finish_interrupted_moves()
    assert not (settings.data_dir / name).exists() and (settings.data_dir / "sea" / name).exists()


@pytest.mark.parametrize("legacy", [False, True], ids=["intent", "intent of earlier versions"])
def test_a_link_unlink_move_cut_by_a_crash_is_completed(library_factory, legacy):
    settings = library_factory({"sea": 1}, unsorted=1)
    name = Library(settings).unsorted()[0]
    os.link(settings.data_dir / name, settings.data_dir / "sea" / name)  # killed right here
    intent = (
        [str(settings.data_dir / name), str(settings.data_dir / "sea" / name)]
        if legacy
        else {"src": "", "dst": "sea", "name": name}
    )
    (settings.artifacts_dir / "moves.lock.intent").write_text(json.dumps(intent))
    Library(settings).finish_interrupted_moves()
    assert not (settings.data_dir / name).exists() and (settings.data_dir / "sea" / name).exists()
    assert not (settings.artifacts_dir / "moves.lock.intent").exists()


@pytest.mark.parametrize(
    "intent",
    [{"src": "../outside", "dst": "", "name": "v.mp4"}, ["/tmp/x/v.mp4", "/tmp/y/v.mp4"], "{"],
)
def test_an_intent_file_is_input_too(library_factory, tmp_path, intent):
    settings = library_factory({"sea": 1}, unsorted=0)
    for folder in ("outside", "x", "y"):
        (tmp_path / folder).mkdir(exist_ok=True)
    (tmp_path / "outside" / "v.mp4").write_bytes(b"outside")
    os.link(tmp_path / "outside" / "v.mp4", settings.data_dir / "v.mp4")
    (settings.artifacts_dir / "moves.lock.intent").write_text(json.dumps(intent))
    Library(settings).finish_interrupted_moves()
    assert (tmp_path / "outside" / "v.mp4").read_bytes() == b"outside"
    assert (settings.data_dir / "v.mp4").exists()
    assert not (settings.artifacts_dir / "moves.lock.intent").exists()
