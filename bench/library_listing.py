"""Library listing and folder counts vs a bare os.scandir loop over the same directories.

10,000 unsorted videos in the root and 50 folders holding 20,000 more (empty files: listing
never opens them). Target: Library.scan() <= 2x the bare loop. A process's first scan, which runs
every name through the name regex, is printed too. Run: python -m bench.library_listing
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bench.common import median_ms, paired_timings, report, timings
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library

UNSORTED, FOLDERS, PER_FOLDER = 10_000, 50, 400


def build(root: Path) -> None:
    for i in range(UNSORTED):
        (root / f"{7000000000000000 + i}.mp4").touch()
    for f in range(FOLDERS):
        folder = root / f"folder{f:02d}"
        folder.mkdir()
        for i in range(PER_FOLDER):
            (folder / f"{7100000000000000 + f * PER_FOLDER + i}.mp4").touch()


def bare_scandir(root: Path) -> tuple[int, dict[str, int]]:
    """The floor: one scandir of the root, one per subfolder, counting entries."""
    unsorted, subdirs = 0, []
    with os.scandir(root) as it:
        for entry in it:
            if entry.is_dir():
                subdirs.append(entry.path)
            else:
                unsorted += 1
    counts = {}
    for path in subdirs:
        with os.scandir(path) as it:
            counts[path] = sum(1 for _ in it)
    return unsorted, counts


def main() -> float:
    root = Path(tempfile.mkdtemp(prefix="vidsort-bench-"))
    try:
        build(root)
        library = Library(
            Settings.load({"data_dir": root, "artifacts_dir": root / ".a"}, environ={})
        )
        snapshot = library.scan()
        assert (
            len(snapshot.unsorted) == UNSORTED and sum(f.count for f in snapshot.folders) == 20_000
        )
        settings = library.settings
        warm_runs, base_runs = paired_timings(library.scan, lambda: bare_scandir(root))
        base, warm = median_ms(base_runs), median_ms(warm_runs)
        cold = median_ms(timings(lambda: Library(settings).scan(), repeat=9))
        print(f"{UNSORTED} unsorted + {FOLDERS} folders x {PER_FOLDER}; medians of 21 runs")
        report("first scan in a process (every name through the regex)", cold, base, "info")
        return report(
            "Library.scan, list + counts (the TUI's 2 s rescan, each API call)", warm, base, "<= 2x"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
