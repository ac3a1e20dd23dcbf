"""Incremental, parallel extraction with skip reasons, and the cache surviving a sort."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import time

import numpy as np
import pytest

from pipeline.features.cache import FeatureCache, key_of
from pipeline.features.embedder import prepare
from pipeline.features.extract import (
    TransientSkip,
    _describe_file,
    extract,
    run,
)
from pipeline.features.sampling import INVALID_DATA
from pipeline.stage_errors import StageTimeout
from pipeline.video_refs import VideoRef, library_videos
from vidsort_tui.core import artifacts
from vidsort_tui.core.library import Library
from vidsort_tui.services import jobs, retrain


def test_second_run_decodes_nothing_and_a_sort_keeps_the_cache(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    first = run(settings, library_videos(settings))
    assert first.decoded == 6 and len(first.features) == 6 and not first.skipped
    second = run(settings, library_videos(settings))
    assert second.decoded == 0 and second.cached == 6
    name = Library(settings).unsorted()[0]
    Library(settings).sort(name, "sea")
    third = run(settings, library_videos(settings))
    assert third.decoded == 0 and f"sea/{name}" in third.features
    np.testing.assert_array_equal(
        third.features[f"sea/{name}"].global_, first.features[name].global_
    )


def test_a_sort_then_a_retrain_decodes_nothing(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    assert retrain.run(settings).ok
    library = Library(settings)
    library.sort(library.unsorted()[0], "fire")
    again = run(settings, library_videos(settings))
    assert again.decoded == 0 and all(f.embedding is not None for f in again.features.values())
    assert retrain.run(settings).ok  # and the retrain itself (which runs the same) succeeds


def test_each_part_of_the_cache_has_its_own_version(library_factory, monkeypatch):
    """Bumping the embedder keeps the classical parts, and the other way round."""
    settings = library_factory({"sea": 2}, unsorted=1)
    first = run(settings, library_videos(settings))
    cache = FeatureCache(settings.artifacts_dir / artifacts.FEATURES)
    keys = [key_of(v.path) for v in library_videos(settings)]
    try:
        monkeypatch.setattr("pipeline.features.cache.EMBEDDING_VERSION", 99)
        classical = cache.lookup(keys)
        assert len(classical) == 3 and all(v.embedding is None for v in classical.values())
        monkeypatch.undo()
        monkeypatch.setattr("pipeline.features.cache.FEATURE_VERSION", 99)
        assert cache.lookup(keys) == {} and len(cache.embeddings(keys)) == 3
    finally:
        cache.close()
    monkeypatch.undo()
    # Classical features alone never need the embedder: nothing is decoded.
    off = extract(library_videos(settings), settings.artifacts_dir / artifacts.FEATURES,
                  embedder=prepare(settings.artifacts_dir, "off"))  # fmt: skip
    assert off.decoded == 0 and off.features.keys() == first.features.keys()


def test_a_new_embedder_version_embeds_again_without_describing_again(library_factory, monkeypatch):
    """What the embedding means changed (EMBEDDING_VERSION): the videos are decoded for the
    embedding alone; the cached classical parts and signatures are kept as they are."""
    settings = library_factory({"sea": 2}, unsorted=1)
    first = run(settings, library_videos(settings))
    monkeypatch.setattr("pipeline.features.cache.EMBEDDING_VERSION", 99)

    def describe(*_: object) -> None:
        raise AssertionError("the classical parts were described again")

    monkeypatch.setattr("pipeline.features.extract.describe", describe)
    videos = library_videos(settings)
    again = extract(videos, settings.artifacts_dir / artifacts.FEATURES, jobs=1,
                    embedder=prepare(settings.artifacts_dir))  # fmt: skip
    assert again.decoded == 3 and not again.skipped
    for rel, value in again.features.items():
        np.testing.assert_array_equal(value.global_, first.features[rel].global_)
        np.testing.assert_array_equal(value.embedding, first.features[rel].embedding)
    cache = FeatureCache(settings.artifacts_dir / artifacts.FEATURES)
    try:
        assert len(cache.embeddings([key_of(v.path) for v in videos])) == 3  # at version 99
    finally:
        cache.close()
    assert run(settings, library_videos(settings)).decoded == 0


def test_a_damaged_cached_embedding_is_made_again(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    first = run(settings, library_videos(settings))
    cache = FeatureCache(settings.artifacts_dir / artifacts.FEATURES)
    with cache.db:
        cache.db.execute("UPDATE embeddings SET vector = ? WHERE rowid = 1", (b"\0" * 12,))
        cache.db.execute("UPDATE embeddings SET vector = ? WHERE rowid = 2",
                         (np.full(1280, np.nan, np.float32).tobytes(),))  # fmt: skip
    cache.close()
    again = run(settings, library_videos(settings))
    assert again.decoded == 2
    for rel, value in again.features.items():
        np.testing.assert_array_equal(value.embedding, first.features[rel].embedding)


def test_a_changed_file_is_extracted_again(library_factory, clip_factory):
    settings = library_factory({"sea": 2}, unsorted=1)
    run(settings, library_videos(settings))
    name = Library(settings).unsorted()[0]
    shutil.copyfile(clip_factory("fire", seed=9), settings.data_dir / name)
    assert run(settings, library_videos(settings)).decoded == 1


def test_parallel_and_serial_give_the_same_features(library_factory, tmp_path):
    settings = library_factory({"sea": 2, "snow": 2}, unsorted=2)
    videos = library_videos(settings)
    serial = extract(videos, tmp_path / "serial.sqlite", jobs=1)
    parallel = extract(videos, tmp_path / "parallel.sqlite", jobs=2)
    assert serial.features.keys() == parallel.features.keys()
    for rel, value in serial.features.items():
        np.testing.assert_array_equal(value.global_, parallel.features[rel].global_)
        np.testing.assert_array_equal(value.local, parallel.features[rel].local)
        assert value.embedding is not None and value.embedding.shape == (1280,)
        np.testing.assert_array_equal(value.embedding, parallel.features[rel].embedding)


def _unreadable_as_nobody(path: str, queue) -> None:  # runs in a child that dropped root
    os.setgid(65534)
    os.setuid(65534)
    queue.put(_describe_file(path, 10.0))


def test_every_kind_of_bad_file_is_skipped_with_its_reason(library_factory, clip_factory, tmp_path):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    root = settings.data_dir
    good = clip_factory("sea")
    (root / "7300000000000001.mp4").write_bytes(b"")
    (root / "7300000000000002.mp4").write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    (root / "7300000000000003.mp4").write_bytes(b"<html>not a video</html>" * 50)
    (root / "7300000000000004.mp4").mkdir()  # a directory named like a video
    os.mkfifo(root / "sea" / "7300000000000006.mp4")  # never opened: it would block
    result = run(settings, library_videos(settings))
    broken = {f"73000000000000{i:02d}.mp4" for i in (1, 2, 3, 4)} | {"sea/7300000000000006.mp4"}
    assert result.skipped.keys() == broken
    assert result.skipped["7300000000000001.mp4"] == "empty file"
    assert result.skipped["7300000000000004.mp4"] == "not read: it is a directory"
    assert "not a regular file" in result.skipped["sea/7300000000000006.mp4"]
    for rel in ("7300000000000002.mp4", "7300000000000003.mp4"):  # truncated, wrong content
        assert result.skipped[rel] == INVALID_DATA  # no "[Errno 1094995529]" in it
    assert len(result.features) == 5  # the good ones all made it
    # Skips are cached too: an unchanged broken file is not retried.
    assert run(settings, library_videos(settings)).decoded == 0
    # Unreadable (permission denied) -- as an unprivileged user, since root reads anything.
    secret = tmp_path / "secret" / "7300000000000005.mp4"
    secret.parent.mkdir()
    shutil.copyfile(good, secret)
    os.chmod(secret, 0o600)
    queue = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(target=_unreadable_as_nobody, args=(str(secret), queue))
    child.start()
    reason = queue.get(timeout=30)
    child.join()
    assert isinstance(reason, TransientSkip) and "ermission denied" in reason  # retried next run
    # A file that vanishes between the scan and extraction.
    gone = extract([VideoRef("x.mp4", tmp_path / "x.mp4", None)], tmp_path / artifacts.FEATURES)
    assert gone.skipped["x.mp4"].startswith("cannot stat")


def test_a_video_over_its_time_limit_is_skipped_with_the_reason(library_factory, tmp_path):
    settings = library_factory({"sea": 2}, unsorted=1)
    result = extract(library_videos(settings), tmp_path / "c.sqlite", jobs=2, time_limit=1e-9)
    assert not result.features and len(result.skipped) == 3
    assert all(reason.startswith("timed out after") for reason in result.skipped.values())
    # Not cached as broken (a limit can be hit under load): with a sane limit they are read.
    assert len(extract(library_videos(settings), tmp_path / "c.sqlite", jobs=1).features) == 3


def test_a_long_extraction_that_keeps_making_progress_is_never_cut_short(library_factory, tmp_path):
    """The stage's limit is on waiting for the next video, not on the whole stage: a first
    retrain of a big library takes longer than any fixed limit."""
    settings = library_factory({"sea": 6, "fire": 6}, unsorted=4)
    videos = library_videos(settings)

    def slow_progress(done: int, total: int) -> None:
        time.sleep(0.5)  # 16 videos: 8 s in all, never 4 s between two videos

    result = extract(videos, tmp_path / "c.sqlite", jobs=1, progress=slow_progress,
                     stall_seconds=4.0)  # fmt: skip
    assert len(result.features) == 16 and result.seconds > 4.0
    with pytest.raises(StageTimeout, match="no video was done in 0 s"):  # a real stall
        extract(videos, tmp_path / "d.sqlite", jobs=1, stall_seconds=1e-9)
    assert len(FeatureCache(tmp_path / "d.sqlite").lookup([key_of(v.path) for v in videos])) >= 1


def test_a_job_childs_time_limit_restarts_with_progress():
    jobs.end_after(500)
    try:
        time.sleep(1.1)
        jobs.still_working()
        assert signal.alarm(0) == 500  # counted again from the last progress
    finally:
        signal.alarm(0)
        jobs._time_limit[0] = 0


def test_names_that_are_not_utf8_or_hold_a_backslash_are_in_the_skip_list(library_factory):
    settings = library_factory({"sea": 1}, unsorted=1)
    for name in (b"caf\xe9.mp4", b"back\\slash.mp4"):
        with open(os.fsencode(settings.data_dir) + b"/" + name, "wb") as handle:
            handle.write(b"x")
    refs = [v for v in library_videos(settings) if v.problem]
    skipped = extract(refs, settings.artifacts_dir / "features.sqlite").skipped
    assert skipped == {
        "caf\\xe9.mp4": "not read: it is a file whose name is not valid UTF-8 "
        "(rename it to sort it)",
        "back\\\\slash.mp4": "not read: it is a file whose name contains a backslash "
        "(rename it to sort it)",
    }
