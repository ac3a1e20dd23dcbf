"""SIGKILL a process in the middle of sorting and undoing, 500 times, per move strategy."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import statistics
import time
from pathlib import Path

import pytest

from tests.reliability.invariants import assert_each_video_once, assert_journal_consistent
from vidsort_tui.core import moves
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts

KILLS = 500


def _sort_forever(settings: Settings, seed: int) -> None:
    library = Library(settings)
    folders = [f.name for f in library.scan().folders]
    rng = random.Random(seed)
    while True:
        unsorted = library.unsorted()
        try:
            if unsorted and rng.random() < 0.7:
                library.sort(rng.choice(unsorted), rng.choice(folders))
            else:
                undo_sorts(library, rng.randint(1, 2))
        except LibraryError:
            pass


def _first_sort_seconds(scratch: Path) -> float:
    """How long a freshly forked child takes to make its first sort, here and now: on a
    loaded machine that is several times the 10 ms a quiet one needs."""
    data = scratch / "videos"
    (data / "a").mkdir(parents=True)
    settings = Settings.load({"data_dir": data, "artifacts_dir": scratch / "art"}, environ={})
    seconds = []
    for i in range(5):
        name = f"{7600000000000000 + i}.mp4"
        (data / name).write_bytes(os.urandom(2048))
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                Library(settings).sort(name, "a")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        seconds.append(time.monotonic() - start)
    return statistics.median(seconds)


@pytest.mark.parametrize("strategy", [None, "link", "check"], ids=["renameat2", "link", "check"])
def test_500_kills_mid_sort_lose_nothing(tmp_path, strategy, monkeypatch):
    data = tmp_path / "videos"
    for folder in ("a", "b", "c"):
        (data / folder).mkdir(parents=True)
    originals = {}
    for i in range(12):
        name = f"{7500000000000000 + i}.mp4"
        body = os.urandom(2048 + i)
        (data / name).write_bytes(body)
        originals[name] = hashlib.sha256(body).hexdigest()
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art"}, environ={})
    monkeypatch.setattr(moves, "FORCE_STRATEGY", strategy)
    # Kill within 1-10 ms, or within twice a first sort where the machine is slower than that:
    # the kills must land inside sorts and undos, not before the child ever gets to one.
    window = max(0.010, 2 * _first_sort_seconds(tmp_path / "calibration"))
    rng = random.Random(7)
    killed = 0
    for round_ in range(KILLS):
        pid = os.fork()
        if pid == 0:  # the child sorts until it is killed
            try:
                _sort_forever(settings, round_)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.001, window))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status)
        killed += 1
    assert killed == KILLS
    assert not list((tmp_path / "art").glob("*.tmp")), "kills left temporary files behind"
    library = Library(settings)
    library.finish_interrupted_moves()  # a move a kill interrupted (link strategy)
    assert_each_video_once(data, originals)
    assert len(library.journal.entries()) >= 10  # the children really sorted and undid
    assert_journal_consistent(library)
    assert_each_video_once(data, originals)
