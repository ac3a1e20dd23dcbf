"""Two processes sort the same file into two folders at the same moment: exactly one wins."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from pathlib import Path

import pytest

from vidsort_tui.core import moves
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Library

ROUNDS = 200


def _racer(settings: Settings, folder: str, strategy: str | None, barrier, jobs, results) -> None:
    moves.FORCE_STRATEGY = strategy
    library = Library(settings)
    while (name := jobs.get()) is not None:
        barrier.wait()
        try:
            library.sort(name, folder)
            results.put((name, folder, "won"))
        except LibraryError as exc:
            results.put((name, folder, type(exc).__name__))


@pytest.mark.parametrize("strategy", [None, "link", "check"], ids=["renameat2", "link", "check"])
def test_two_processes_one_winner_200_rounds(tmp_path: Path, strategy: str | None) -> None:
    data = tmp_path / "videos"
    (data / "left").mkdir(parents=True)
    (data / "right").mkdir()
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art"}, environ={})
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    queues = [ctx.Queue(), ctx.Queue()]
    workers = [
        ctx.Process(target=_racer, args=(settings, folder, strategy, barrier, q, results))
        for folder, q in zip(["left", "right"], queues, strict=True)
    ]
    for w in workers:
        w.start()
    try:
        for i in range(ROUNDS):
            name = f"{7200000000000000 + i}.mp4"
            body = os.urandom(4096) + name.encode()
            (data / name).write_bytes(body)
            for q in queues:
                q.put(name)
            outcome = sorted(results.get(timeout=30)[1:] for _ in range(2))
            winners = [folder for folder, result in outcome if result == "won"]
            losers = [result for _folder, result in outcome if result != "won"]
            assert len(winners) == 1 and losers == ["NotFound"], outcome
            copies = [
                p for p in (data / name, data / "left" / name, data / "right" / name) if p.exists()
            ]
            assert copies == [data / winners[0] / name]
            assert hashlib.sha256(copies[0].read_bytes()).digest() == hashlib.sha256(body).digest()
    finally:
        for q in queues:
            q.put(None)
        for w in workers:
            w.join(timeout=10)
    assert len(Library(settings).journal.pending_sorts()) == ROUNDS
