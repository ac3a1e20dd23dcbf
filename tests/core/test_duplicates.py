"""Moving a near-duplicate into duplicates/: created when absent, never overwriting, undoable."""

from __future__ import annotations

import shutil

import pytest

from vidsort_tui.core.duplicates import move_to_duplicates
from vidsort_tui.core.errors import AlreadyExists, InvalidFolder
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts


def test_creates_the_folder_moves_and_undo_brings_it_back(library_factory):
    settings = library_factory({"sea": 1}, unsorted=2)
    library = Library(settings)
    first, second = library.unsorted()
    move_to_duplicates(library, first)
    assert (settings.data_dir / "duplicates" / first).exists()
    move_to_duplicates(library, second)  # the folder is there now: reused
    assert sorted(p.name for p in (settings.data_dir / "duplicates").iterdir()) == [first, second]
    undo_sorts(library)
    assert (settings.data_dir / second).exists() and not (settings.data_dir / first).exists()


def test_never_overwrites_a_video_of_the_same_name(library_factory):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    (name,) = library.unsorted()
    (settings.data_dir / "duplicates").mkdir()
    shutil.copyfile(settings.data_dir / name, settings.data_dir / "duplicates" / name)
    with pytest.raises(AlreadyExists):
        move_to_duplicates(library, name)
    assert (settings.data_dir / name).exists()


def test_a_link_in_place_of_the_folder_is_not_followed(library_factory, tmp_path):
    settings = library_factory({"sea": 1}, unsorted=1)
    library = Library(settings)
    outside = tmp_path / "outside"
    outside.mkdir()
    (settings.data_dir / "duplicates").symlink_to(outside)
    with pytest.raises(InvalidFolder):
        move_to_duplicates(library, library.unsorted()[0])
    assert list(outside.iterdir()) == []
