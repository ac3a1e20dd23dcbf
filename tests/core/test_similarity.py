"""similarity.json read back: the documented shape, stale entries followed or dropped, hostile
files an empty result with a warning, and the list orders."""

from __future__ import annotations

import json
import os
import time

import pytest

from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.list_order import ORDER_MODES, next_order, order_videos
from vidsort_tui.core.predictions import Prediction
from vidsort_tui.core.similarity_file import (
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    write_similarity,
)
from vidsort_tui.core.similarity_store import load_similarity

A, B, C, D = (f"710000000000000{i}.mp4" for i in range(4))
FILED = "7000000000000000.mp4"


@pytest.fixture
def settings(tmp_path):
    data, artifacts = tmp_path / "videos", tmp_path / "artifacts"
    (data / "sea").mkdir(parents=True)
    artifacts.mkdir()
    for name in (A, B, C, D):
        (data / name).write_bytes(b"x")
    (data / "sea" / FILED).write_bytes(b"x")
    return Settings.load({"data_dir": data, "artifacts_dir": artifacts}, environ={})


def _age(settings):
    """Folders changed 10 s ago: outside the racy window, so results may be cached."""
    old = time.time() - 10
    for folder in (settings.data_dir, settings.data_dir / "sea"):
        os.utime(folder, (old, old))


SAMPLE = Similarity(
    lookalike_order=(C, A, B, D),
    groups=(LookalikeGroup((A, B, C), "sea", 0.8),),
    duplicates=(DuplicateGroup((Copy(D, None), Copy(FILED, "sea")), 0.97),),
)


def test_round_trip_in_the_documented_shape(settings):
    write_similarity(settings.artifacts_dir, SAMPLE)
    got = load_similarity(settings)
    assert got == SAMPLE
    raw = json.loads((settings.artifacts_dir / "similarity.json").read_text())
    assert raw["groups"] == [
        {"videos": [A, B, C], "suggested_folder": "sea", "similarity": 0.8, "new_kind": False}
    ]
    assert raw["duplicates"][0]["videos"] == [
        {"filename": D, "folder": None}, {"filename": FILED, "folder": "sea"}
    ]  # fmt: skip
    assert got.copies_of(D) == [Copy(FILED, "sea")] and got.group_of(B) == SAMPLE.groups[0]


def test_stale_entries_are_followed_or_dropped(settings):
    write_similarity(settings.artifacts_dir, SAMPLE)
    library = Library(settings)
    library.sort(A, "sea")  # A leaves the group and the order
    library.sort(B, "sea")  # the group is down to one: dropped
    os.rename(settings.data_dir / "sea" / FILED, settings.data_dir / FILED)  # the copy moved
    got = load_similarity(settings)
    assert got.lookalike_order == (C, D) and got.groups == ()
    assert got.duplicates == (DuplicateGroup((Copy(D, None), Copy(FILED, None)), 0.97),)
    os.unlink(settings.data_dir / FILED)  # one copy left: not a duplicate any more
    assert load_similarity(settings).duplicates == ()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"[1, 2]",
        b'{"version": 1}',
        b'{"version": 99, "lookalike_order": [], "groups": [], "duplicates": []}',
        b"\xff\xfe",
        b"[" * 100_000,
    ],
)
def test_unusable_files_are_empty_with_a_warning(settings, content):
    (settings.artifacts_dir / "similarity.json").write_bytes(content)
    got = load_similarity(settings)
    assert (got.lookalike_order, got.groups, got.duplicates) == ((), (), ())
    assert got.warning


def test_bad_entries_are_skipped_and_counted(settings):
    body = {
        "version": 1,
        "lookalike_order": [A, "../etc/passwd", 7, B],
        "groups": [
            {"videos": [A, B], "suggested_folder": None, "similarity": 0.5},
            {"videos": [A, "../x.mp4"], "suggested_folder": None, "similarity": 0.5},
            {"videos": [A, B], "suggested_folder": "../up", "similarity": 0.5},
            {"videos": [A, B], "suggested_folder": "duplicates", "similarity": 0.5},
            {"videos": [A, B], "suggested_folder": None, "similarity": float("nan")},
            {"videos": [A, B], "suggested_folder": None, "similarity": 3},
            "junk",
        ],
        "duplicates": [
            {"videos": [{"filename": D, "folder": "/abs"}, {"filename": A, "folder": None}],
             "similarity": 0.9},
            {"videos": [{"filename": D}], "similarity": 0.9},
        ],
    }  # fmt: skip
    (settings.artifacts_dir / "similarity.json").write_text(json.dumps(body))
    got = load_similarity(settings)
    assert got.lookalike_order == (A, B)
    assert got.groups == (LookalikeGroup((A, B), None, 0.5),) and got.duplicates == ()
    assert got.warning == "similarity file: skipped 10 entries that are not valid"


def test_links_and_fifos_are_refused_not_followed(settings, tmp_path):
    target = tmp_path / "elsewhere.json"
    write_similarity(tmp_path, SAMPLE)
    os.rename(tmp_path / "similarity.json", target)
    (settings.artifacts_dir / "similarity.json").symlink_to(target)
    assert load_similarity(settings).groups == () and load_similarity(settings).warning
    os.unlink(settings.artifacts_dir / "similarity.json")
    os.mkfifo(settings.artifacts_dir / "similarity.json")
    assert load_similarity(settings).warning  # returns at once, no writer awaited


PREDICTIONS = {A: Prediction("sea", 0.5), B: Prediction("sea", 0.9), D: Prediction("sea", 0.2)}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("found", [A, B, C, D]),
        ("confident", [B, A, D, C]),  # no prediction (C) last
        ("uncertain", [D, A, B, C]),
        ("similar", [C, A, B, D]),
    ],
)
def test_order_modes(mode, expected):
    assert order_videos([A, B, C, D], mode, PREDICTIONS, SAMPLE) == expected


def test_similar_order_appends_videos_it_does_not_know_and_drops_gone_ones():
    similarity = Similarity(lookalike_order=(D, "gone.mp4", B))
    assert order_videos([A, B, C, D], "similar", {}, similarity) == [D, B, A, C]
    with pytest.raises(ValueError, match="found, confident, uncertain, similar"):
        order_videos([A], "random", {}, similarity)
    assert [next_order(m) for m in ORDER_MODES] == ["confident", "uncertain", "similar", "found"]
