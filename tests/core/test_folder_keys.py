"""Folder keys stay put: a folder keeps its number while it exists, new folders take the
next free one, the assignment survives restarts, and a bad key file is rebuilt, not trusted."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from vidsort_tui.core.folder_keys import describe_changes, plan
from vidsort_tui.core.library import Library
from vidsort_tui.core.library_view import LibraryView
from vidsort_tui.core.similarity_store import SimilarityStore


def keys(settings) -> dict[str, str | None]:
    return {f.name: f.key and str(f.key % 10) for f in LibraryView(settings).folders()}


def test_a_new_folder_takes_the_next_free_key_and_the_others_keep_theirs(library_factory):
    settings = library_factory({"desert": 1, "fire": 1, "sea": 1, "snow": 1})
    assert keys(settings) == {"desert": "1", "fire": "2", "sea": "3", "snow": "4"}
    Library(settings).create_folder("my mountains")  # between fire and sea by name
    assert keys(settings) == {
        "desert": "1", "fire": "2", "my mountains": "5", "sea": "3", "snow": "4"
    }  # fmt: skip
    saved = json.loads((settings.artifacts_dir / "folder_keys.json").read_text())
    assert saved == {"version": 1, "keys": {"desert": 1, "fire": 2, "sea": 3, "snow": 4,
                                            "my mountains": 5}}  # fmt: skip
    shutil.rmtree(settings.data_dir / "fire")  # gone on disk: its key is freed...
    snapshot = LibraryView(settings).scan()
    assert snapshot.keys_before is not None and snapshot.keys_before["fire"] == 2
    assert describe_changes(snapshot.keys_before, snapshot.keys) == ["fire is gone: key 2 is free"]
    assert keys(settings)["sea"] == "3"
    (settings.data_dir / "beach").mkdir()  # ...and the next new folder takes it
    assert keys(settings) == {
        "beach": "2", "desert": "1", "my mountains": "5", "sea": "3", "snow": "4"
    }  # fmt: skip
    assert LibraryView(settings).scan().keys_before is None  # nothing changed: nothing rewritten


def test_reading_the_library_numbers_no_folder_only_showing_it_does(library_factory):
    """Library.scan() is a read (the pipeline's, a start-up check's): it never writes the key
    file; LibraryView, where folders are shown, fixes the keys."""
    settings = library_factory({"fire": 1, "sea": 1, "snow": 1})
    path = settings.artifacts_dir / "folder_keys.json"
    library = Library(settings)
    assert [f.key for f in library.scan().folders] == [None, None, None]
    library.unsorted(), SimilarityStore(library).current()
    assert not path.exists()
    assert keys(settings) == {"fire": "1", "sea": "2", "snow": "3"}
    saved = path.read_bytes()
    shutil.rmtree(settings.data_dir / "fire")
    assert library.scan().keys_before is None and path.read_bytes() == saved
    assert LibraryView(settings).scan().keys_before == {"fire": 1, "sea": 2, "snow": 3}
    assert path.read_bytes() != saved


def test_ten_keys_the_rest_without_and_duplicates_never_keyed(library_factory):
    settings = library_factory({f"f{i:02}": 0 for i in range(12)})
    (settings.data_dir / "duplicates").mkdir()
    got = keys(settings)
    assert got["duplicates"] is None and got["f10"] is None and got["f11"] is None
    assert [got[f"f{i:02}"] for i in range(10)] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "0",
    ]
    shutil.rmtree(settings.data_dir / "f03")
    got = keys(settings)
    assert got["f10"] == "4" and got["f11"] is None and got["duplicates"] is None


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        json.dumps({"version": 1, "keys": {"sea": 1, "fire": 1}}).encode(),  # a key twice
        json.dumps({"version": 1, "keys": {"../x": 1}}).encode(),
        json.dumps({"version": 1, "keys": {"duplicates": 1}}).encode(),
        json.dumps({"version": 1, "keys": {"sea": 11}}).encode(),
        json.dumps({"version": 1, "keys": {"sea": "1"}}).encode(),
        json.dumps({"version": 2, "keys": {}}).encode(),
    ],
)
def test_a_bad_key_file_is_ignored_with_a_warning_and_rebuilt(library_factory, content):
    settings = library_factory({"fire": 1, "sea": 1})
    path = settings.artifacts_dir / "folder_keys.json"
    path.write_bytes(content)
    library = LibraryView(settings)
    assert {f.name: f.key for f in library.folders()} == {"fire": 1, "sea": 2}
    assert "numbered afresh" in (library.folder_keys.warning or "")
    assert json.loads(path.read_text())["keys"] == {"fire": 1, "sea": 2}  # rebuilt


def test_special_files_are_never_opened_and_never_followed(library_factory, tmp_path):
    settings = library_factory({"fire": 1, "sea": 1})
    path = settings.artifacts_dir / "folder_keys.json"
    os.mkfifo(path)  # opening it for reading would wait for a writer forever
    library = LibraryView(settings)
    assert {f.name: f.key for f in library.folders()} == {"fire": 1, "sea": 2}
    assert path.is_file() and not path.is_fifo()  # replaced by a regular file
    outside = tmp_path / "outside.json"
    outside.write_text('{"version": 1, "keys": {"sea": 1, "fire": 2}}')
    path.unlink()
    path.symlink_to(outside)
    assert {f.name: f.key for f in LibraryView(settings).folders()} == {"fire": 1, "sea": 2}
    assert outside.read_text() == '{"version": 1, "keys": {"sea": 1, "fire": 2}}'


def test_plan_keeps_saved_keys_and_fills_the_lowest_free_in_order():
    assert plan({"b": 3}, ["a", "b", "c"]) == {"a": 1, "c": 2, "b": 3}
    assert plan({"gone": 1}, ["new"]) == {"new": 1}


def test_a_writer_killed_mid_write_leaves_no_temporary_file_behind(library_factory):
    settings = library_factory({"fire": 1})
    leftover = settings.artifacts_dir / ".folder_keys.json.abc123.tmp"
    leftover.write_text('{"version": 1, "ke')  # what a SIGKILL mid-write leaves
    assert keys(settings) == {"fire": "1"}
    assert not leftover.exists()
