"""CPU per painted frame of the video pane at 80x24 cells (an 80x48-pixel frame).

Measures what the widget does for each new frame: colour keys for the half-block cells and
rendering every line into segments, in CPU time. Baseline in the same run: a pane of the
same size painted as plain text (one segment a line), the cheapest thing a widget can do.
Run: python -m bench.paint_cost
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.strip import Strip

from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.tui.video_view import VideoView, cell_keys

COLS, ROWS = 80, 24


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VideoView("none", audio=False)


def frames() -> list[np.ndarray]:
    path = write_clip(
        Path(tempfile.mkdtemp()) / "c.mp4", ClipSpec("city_night", 3.0, 1, size=(COLS, ROWS * 2))
    )
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


async def measure() -> tuple[float, float]:
    video = frames()
    async with PaneApp().run_test(size=(COLS, ROWS)) as _pilot:
        view = _pilot.app.query_one(VideoView)
        ours, base = [], []
        for frame in video * 3:
            start = time.process_time()
            view._keys = cell_keys(frame)
            for y in range(ROWS):
                view.render_line(y)
            ours.append(time.process_time() - start)
            start = time.process_time()
            for _y in range(ROWS):
                Strip([Segment(" " * COLS)], COLS)
            base.append(time.process_time() - start)
    return statistics.median(ours) * 1000, statistics.median(base) * 1000


def main() -> None:
    ours, base = asyncio.run(measure())
    print(f"video pane {COLS}x{ROWS} cells: {ours:.2f} ms CPU per frame (median); "
          f"plain-text pane of the same size {base:.3f} ms -> ratio {ours / base:.0f}; "
          f"at 24 fps that is {ours * 24 / 10:.1f}% of one core")  # fmt: skip


if __name__ == "__main__":
    main()
