"""Journal compaction killed at every step, at random moments, and racing other writers:
nothing undoable is lost, nothing is doubled, undo still works (core/compaction.py)."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.invariants import assert_each_video_once, assert_journal_consistent
from vidsort_tui.core import compaction
from vidsort_tui.core.batch import sort_batch
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError, NothingToUndo
from vidsort_tui.core.journal import Journal, read_mark
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import newest_steps, undo_sorts

#: the os calls a compaction makes that change or reveal files: a kill before any of them
STEPS = ("open", "write", "fsync", "replace", "rename", "unlink", "ftruncate", "pread", "stat")


def library(tmp_path: Path, videos: int) -> tuple[Settings, dict[str, bytes]]:
    data = tmp_path / "videos"
    for folder in ("a", "b", "c"):
        (data / folder).mkdir(parents=True)
    originals = {}
    for i in range(videos):
        name = f"{7800000000000000 + i}.mp4"
        originals[name] = os.urandom(1024 + i)
        (data / name).write_bytes(originals[name])
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art"}, environ={})
    return settings, originals


def digests(originals: dict[str, bytes]) -> dict[str, str]:
    import hashlib

    return {name: hashlib.sha256(body).hexdigest() for name, body in originals.items()}


def history(settings: Settings, names: list[str], seed: int) -> None:
    """Sorts, undos, batches; compacted now and then (a snapshot exists, with sorts that
    later lines undo, so a compaction must rebuild it)."""
    lib = Library(settings)
    rng = random.Random(seed)
    rest = list(names)
    while rest:
        if rng.random() < 0.2 and len(rest) > 3:
            batch, rest = rest[:3], rest[3:]
            sort_batch(lib, [(n, rng.choice("abc")) for n in batch])
        else:
            lib.sort(rest.pop(), rng.choice("abc"))
        if rng.random() < 0.15:
            undo_sorts(lib)
            rest.append(lib.unsorted()[0]) if lib.unsorted() else None
        if rng.random() < 0.1:
            compaction.compact(lib.journal)


def pending_ids(settings: Settings) -> list[str]:
    return [e.id for e in Journal(settings.artifacts_dir / "moves.jsonl").pending_sorts()]


def undo_order(settings: Settings) -> list[list[str]]:
    """What undo would take back, step by step, newest first."""
    return [[e.id for e in step] for step in newest_steps(Library(settings))]


def kill_at(step: int) -> None:
    """From now on, this process dies (SIGKILL) at its ``step``-th file call; a write there
    is torn first (half of it written)."""
    count = 0
    real_write = os.write

    def wrap(name: str, call):
        def inner(*args, **kwargs):
            nonlocal count
            count += 1
            if count == step:
                if name == "write":
                    real_write(args[0], bytes(args[1])[: max(1, len(args[1]) // 2)])
                os.kill(os.getpid(), signal.SIGKILL)
            return call(*args, **kwargs)

        return inner

    for name in STEPS:
        setattr(os, name, wrap(name, getattr(os, name)))


def assert_files_agree(journal: Journal) -> None:
    """After a full compaction: no sort in both files, none twice in the snapshot, and the
    mark names the snapshot as it is."""
    recent = journal.read_recent()
    snapshot = journal.read_snapshot()
    ids = [e.id for e in snapshot]
    assert len(ids) == len(set(ids))
    assert not set(ids) & {e.id for e in recent if e.op == "sort"}
    mark = read_mark(journal.path.read_bytes().split(b"\n", 1)[0])
    assert mark is not None
    size = journal.snapshot_path.stat().st_size if journal.snapshot_path.exists() else 0
    assert mark.snapshot_bytes == size


@pytest.mark.parametrize("undo_into_snapshot", [False, True], ids=["append", "rebuild"])
def test_a_kill_at_every_step_of_a_compaction_loses_and_doubles_nothing(
    tmp_path, monkeypatch, undo_into_snapshot
):
    monkeypatch.setattr(compaction, "COMPACT_AT_BYTES", 1 << 30)  # only when asked here
    monkeypatch.setattr(compaction, "KEEP_LINES", 8)
    settings, originals = library(tmp_path, 40)
    history(settings, sorted(originals), seed=1)
    compaction.compact(Journal(settings.artifacts_dir / "moves.jsonl"))
    lib = Library(settings)
    for name in sorted(originals)[:6]:
        if (settings.data_dir / name).exists():
            lib.sort(name, "a")
    if undo_into_snapshot:
        undo_sorts(lib, 12)  # reaches sorts already in the snapshot
    for name in lib.unsorted()[:12]:
        lib.sort(name, "b")
    journal = Journal(settings.artifacts_dir / "moves.jsonl")
    expected, steps = pending_ids(settings), undo_order(settings)
    saved_journal, saved_snapshot = journal.path.read_bytes(), journal.snapshot_path.read_bytes()

    def restore() -> int:
        """The journal as it was before any kill (the snapshot a new file, so the mark is
        rewritten to name it, as the compaction that made it did)."""
        journal.snapshot_path.unlink()
        journal.snapshot_path.write_bytes(saved_snapshot)
        st = journal.snapshot_path.stat()
        first, rest = saved_journal.split(b"\n", 1)
        mark = read_mark(first)
        assert mark is not None
        mark = mark.model_copy(update={"snapshot_ino": st.st_ino, "snapshot_bytes": st.st_size})
        journal.path.write_bytes(mark.line() + rest)
        return st.st_ino

    kills = 0
    for step in range(1, 10_000):
        snapshot_before = restore()  # every kill starts from the same journal
        pid = os.fork()
        if pid == 0:
            try:
                kill_at(step)
                compaction.compact(Journal(settings.artifacts_dir / "moves.jsonl"))
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            break  # the compaction ran to its end before step ``step``
        kills += 1
        assert pending_ids(settings) == expected, f"killed at step {step}"
        assert undo_order(settings) == steps, f"killed at step {step}"
        compaction.compact(journal)  # the next compaction repairs what the kill cut short
        assert pending_ids(settings) == expected, f"after the kill at step {step}"
        assert undo_order(settings) == steps, f"after the kill at step {step}"
        assert_files_agree(journal)
    assert kills >= 15  # the loop really killed it at each of its steps (20 or more)
    assert pending_ids(settings) == expected and undo_order(settings) == steps
    assert_files_agree(journal)
    rebuilt = journal.snapshot_path.stat().st_ino != snapshot_before
    assert rebuilt == undo_into_snapshot  # each path of compaction.py was the one killed
    undone = []
    while True:
        try:
            undone.append([e.id for e in undo_sorts(Library(settings)).undone])
        except NothingToUndo:
            break
    assert undone == steps
    assert_each_video_once(settings.data_dir, digests(originals))
    assert {p.name for p in settings.data_dir.iterdir() if p.is_file()} == set(originals)


def _sort_and_undo_forever(settings: Settings, seed: int) -> None:
    lib = Library(settings)
    rng = random.Random(seed)
    while True:
        unsorted = lib.unsorted()
        try:
            if unsorted and rng.random() < 0.75:
                if rng.random() < 0.2:
                    sort_batch(lib, [(n, rng.choice("abc")) for n in unsorted[:3]])
                else:
                    lib.sort(rng.choice(unsorted), rng.choice("abc"))
            else:
                undo_sorts(lib, rng.randint(1, 3))
        except LibraryError:
            pass


def test_300_random_kills_while_sorting_undoing_and_compacting(tmp_path, monkeypatch):
    monkeypatch.setattr(compaction, "COMPACT_AT_BYTES", 2048)  # compacts every ~10 lines
    monkeypatch.setattr(compaction, "KEEP_LINES", 4)
    settings, originals = library(tmp_path, 16)
    rng = random.Random(3)
    compacted = 0
    for round_ in range(300):
        pid = os.fork()
        if pid == 0:
            try:
                _sort_and_undo_forever(settings, round_)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.002, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        journal_path = settings.artifacts_dir / "moves.jsonl"
        if journal_path.exists():
            compacted += read_mark(journal_path.read_bytes().split(b"\n", 1)[0]) is not None
    assert compacted > 50  # compactions were running all along
    journal = Journal(settings.artifacts_dir / "moves.jsonl")
    ids = [e.id for e in journal.entries()]
    assert len(ids) == len(set(ids))
    compaction.compact(journal)
    assert_files_agree(journal)
    assert_each_video_once(settings.data_dir, digests(originals))
    assert_journal_consistent(Library(settings))
    assert_each_video_once(settings.data_dir, digests(originals))


def _sorter(settings: Settings, names: list[str], folder: str) -> None:
    lib = Library(settings)
    for name in names:
        lib.sort(name, folder)


def test_sorts_in_two_processes_while_they_compact_are_all_journalled_once(tmp_path, monkeypatch):
    """Each sort may compact: lines appended meanwhile go to the new file, none is lost."""
    monkeypatch.setattr(compaction, "COMPACT_AT_BYTES", 2048)
    monkeypatch.setattr(compaction, "KEEP_LINES", 4)
    settings, originals = library(tmp_path, 240)
    names = sorted(originals)
    ctx = mp.get_context("fork")
    workers = [ctx.Process(target=_sorter, args=(settings, names[i::2], "ab"[i])) for i in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    journal = Journal(settings.artifacts_dir / "moves.jsonl")
    assert journal.snapshot_path.exists()
    pending = [e.filename for e in journal.pending_sorts()]
    assert sorted(pending) == names  # every sort journalled, once
    lib = Library(settings)
    undone = [e.filename for _ in range(3) for e in undo_sorts(lib, 100).undone]
    assert sorted(undone) == names
