"""Time from launching the TUI until its list is interactive: 10,000 unsorted videos vs 100.

Files are empty (listing never opens them) and the player is off, so this measures the
scan, the predictions and the table. Target ratio <= 2. Run: python -m bench.tui_launch
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from vidsort_tui.core.config import Settings
from vidsort_tui.core.predictions import Prediction, write_predictions
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.video_list import VideoList


def library(root: Path, count: int) -> Settings:
    data = root / f"lib{count}" / "videos"
    for folder in ("fire", "sea", "snow"):
        (data / folder).mkdir(parents=True)
    names = [f"{7000000000000000 + i}.mp4" for i in range(count)]
    for name in names:
        (data / name).touch()
    settings = Settings.load({"data_dir": data, "artifacts_dir": data.parent / "art",
                              "player": {"mode": "none"}},
                             environ={})  # fmt: skip
    write_predictions(
        settings.artifacts_dir, {n: Prediction("sea", 0.9, (("sea", 0.9),)) for n in names}
    )
    return settings


async def time_to_interactive(settings: Settings, count: int) -> float:
    start = time.perf_counter()
    app = VidsortApp(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            screen = app.screen
            if isinstance(screen, MainScreen) and screen.query_one(VideoList).row_count == count:
                break
            await asyncio.sleep(0.005)
        await pilot.press("j")  # the first key is handled: interactive
        assert screen.current is not None and screen.current.filename.endswith("01.mp4")
        return time.perf_counter() - start


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="vidsort-tui-bench-"))
    try:
        small, large = library(root, 100), library(root, 10_000)
        results = {}
        for count, settings in ((100, small), (10_000, large)):
            runs = [asyncio.run(time_to_interactive(settings, count)) for _ in range(5)]
            results[count] = statistics.median(runs)
            print(f"{count:>6} unsorted: median of 5 {results[count] * 1000:.0f} ms to interactive")
        ratio = results[10_000] / results[100]
        print(f"10,000 vs 100 -> ratio {ratio:.2f} (target <= 2)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
