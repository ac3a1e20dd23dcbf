"""The library listing a retrain makes: scans per retrain, and their cost at 30,000 videos.

A retrain scans the library once and hands the videos to every stage (extraction, training,
prediction, predict_missing); before issue 20 each stage scanned again (3 scans, 4 with a
video an undo brought back). Counted on a real retrain of the demo library (the real
``Library.scan`` wrapped, every call counted), warm cache, with its wall time (median of 3).
Then the listing of a 30,000-video library (as bench.library_listing: empty files, 10,000
unsorted and 50 folders of 400) is timed: the retrain's scans x one ``library_videos``,
against the least a retrain can list (one ``library_videos``: every stage must see every
video) in the same run. Target: ratio 1 (3 before issue 20). A bare os.scandir walk of the
same folders is printed beside it: most of a scan is building the VideoRefs' paths.
Run: python -m bench.retrain_scans
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import WORK, median_ms, paired_timings, report
from bench.library_listing import bare_scandir, build
from pipeline.video_refs import library_videos
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.demo.library import ensure_demo_library
from vidsort_tui.services import retrain


def scans_per_retrain() -> tuple[int, float]:
    """(Library.scan calls in one warm retrain of the demo library, its median wall time)."""
    data, artifacts = WORK / "demo-library", WORK / "retrain-scans-artifacts"
    ensure_demo_library(data)
    settings = Settings.load({"data_dir": data, "artifacts_dir": artifacts}, environ={})
    counted: list[int] = []
    real = Library.scan

    def scan(self: Library) -> object:
        counted.append(1)
        return real(self)

    Library.scan = scan
    try:
        assert retrain.run(settings).ok  # warms the feature cache (the first run decodes)
        walls, scans = [], []
        for _ in range(3):
            counted.clear()
            start = time.perf_counter()
            assert retrain.run(settings).ok
            walls.append(time.perf_counter() - start)
            scans.append(len(counted))
    finally:
        Library.scan = real
    assert len(set(scans)) == 1, scans
    return scans[0], statistics.median(walls)


def main() -> float:
    scans, wall = scans_per_retrain()
    print(f"demo library (90 videos): {scans} scan(s) per retrain; warm retrain median of 3 "
          f"{wall:.2f} s")  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix="vidsort-bench-"))
    try:
        build(root)
        settings = Settings.load({"data_dir": root, "artifacts_dir": root / ".a"}, environ={})
        assert len(library_videos(settings)) == 30_000
        listing, bare = paired_timings(
            lambda: library_videos(settings), lambda: bare_scandir(root), repeat=9
        )
        one = median_ms(listing)
        print(f"one library_videos of 30,000 videos: {one:.1f} ms (a bare os.scandir walk of "
              f"the same folders: {median_ms(bare):.1f} ms)")  # fmt: skip
        return report(
            f"a retrain's listing ({scans} x library_videos)",
            scans * one,
            one,
            "1: one scan per retrain; 3 before issue 20",
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
