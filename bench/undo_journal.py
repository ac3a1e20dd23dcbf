"""Undo latency with 300 and with 300,000 lines of history in the journal (moves.jsonl).

Two libraries, alike but for their journal's history: 300 lines, or 300,000 (a long-used
library: mostly sorts still undoable, some sorted and undone). Each round sorts a video
then times one undo of it (the sort is not timed), alternating between the two libraries so
drift in the machine's speed falls on both alike. Reported: the medians and their ratio.
Target: undo at 300,000 lines within 2x of undo at 300 (the journal is compacted, so undo
reads only its recent part). The first sort and undo on the long journal are timed apart:
they compact it (a journal written before compaction existed is read once).
Run: python -m bench.undo_journal
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import median_ms, report
from vidsort_tui.core.config import Settings
from vidsort_tui.core.journal import ROOT, JournalEntry
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts

SHORT, LONG = 300, 300_000
ROUNDS = 21
VIDEOS = 8  # sorted and undone in turn
#: of the history's sorts, how many were undone later (the rest are still undoable)
UNDONE_SHARE = 0.1


def history(lines: int, seed: int) -> bytes:
    """``lines`` journal lines of sorts (and some undos of them) of videos named apart from
    the ones the benchmark moves, oldest first."""
    rng = random.Random(seed)
    out: list[bytes] = []
    at = time.time() - 365 * 86400
    undone: list[JournalEntry] = []
    n = 0
    while len(out) < lines:
        at += 60
        if undone and rng.random() < 0.5:
            sort = undone.pop()
            line = JournalEntry(id=f"{n:032x}", op="undo", filename=sort.filename,
                                src=sort.dst, dst=ROOT, at=at, undoes=sort.id)  # fmt: skip
        else:
            folder = f"f{rng.randrange(12)}"
            line = JournalEntry(id=f"{n:032x}", op="sort", filename=f"{n:016d}.mp4", src=ROOT,
                                dst=folder, at=at)  # fmt: skip
            if rng.random() < UNDONE_SHARE:
                undone.append(line)
        out.append(line.line())
        n += 1
    return b"".join(out)


def build(root: Path, lines: int) -> tuple[Library, list[str]]:
    data, art = root / "videos", root / "artifacts"
    (data / "a").mkdir(parents=True)
    art.mkdir()
    names = [f"{8_000_000_000_000_000 + i}.mp4" for i in range(VIDEOS)]
    for name in names:
        (data / name).write_bytes(b"\0" * 4096)
    (art / "moves.jsonl").write_bytes(history(lines, seed=lines))
    settings = Settings.load({"data_dir": data, "artifacts_dir": art}, environ={})
    return Library(settings), names


def sort_then_time_undo(library: Library, name: str, with_sort: bool = False) -> float:
    start = time.perf_counter()
    library.sort(name, "a")
    if not with_sort:
        start = time.perf_counter()
    undone = undo_sorts(library).undone
    took = time.perf_counter() - start
    assert [e.filename for e in undone] == [name]
    return took


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="undo-journal-"))
    try:
        short, short_names = build(root / "short", SHORT)
        long, long_names = build(root / "long", LONG)
        first_short = sort_then_time_undo(short, short_names[0], with_sort=True)
        first_long = sort_then_time_undo(long, long_names[0], with_sort=True)
        print(f"first sort + undo: {first_short * 1000:.1f} ms at {SHORT} lines; "
              f"{first_long * 1000:.1f} ms at {LONG:,} lines (compacting the journal once)")  # fmt: skip
        at_short, at_long = [], []
        for i in range(ROUNDS):
            at_short.append(sort_then_time_undo(short, short_names[i % VIDEOS]))
            at_long.append(sort_then_time_undo(long, long_names[i % VIDEOS]))
        kept = (root / "long" / "artifacts" / "moves.jsonl").read_bytes().count(b"\n")
        print(f"journal lines now read by undo: {kept} (of {LONG:,} written); "
              f"spread at {LONG:,}: {min(at_long) * 1000:.1f}-{max(at_long) * 1000:.1f} ms, "
              f"stdev {statistics.pstdev(at_long) * 1000:.1f} ms")  # fmt: skip
        report(f"undo at {LONG:,} journal lines (median of {ROUNDS})", median_ms(at_long),
               median_ms(at_short), f"<= 2.00, baseline: undo at {SHORT} lines")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
