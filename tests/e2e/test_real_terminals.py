"""The real `vidsort-tui` in real terminal emulators on a virtual display, judged by screenshots:
xterm as a VT340 (Sixel) and kitty with Mesa's software OpenGL (Kitty graphics, shared memory).

The clip has fine detail (a 4-pixel checkerboard, big letters, a moving bar), so a screenshot
of the video pane can be held against the frame libmpv renders: it must correlate with it,
hold at least 4x the edge energy of the half-block rendering of the same frame, change over
time, and be gone after q. The pane's place comes from the same app laid out by Pilot at the
same size; the terminal's cell size from its window size.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from tests.e2e.x11 import (
    MISSING_TOOLS,
    desktop_env,
    kitty,
    screenshot,
    window_geometry,
    xterm,
)
from vidsort_tui.player.opencv_backend import _letterbox
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.video_view import VideoView

COLS, ROWS = 100, 30
pytestmark = pytest.mark.skipif(bool(MISSING_TOOLS), reason=f"needs {', '.join(MISSING_TOOLS)}")


def detail_frame(t: float, size: tuple[int, int] = (640, 400)) -> np.ndarray:
    """RGB: a 4-pixel checkerboard left, big letters right, a bar sweeping across."""
    w, h = size
    y, x = np.indices((h, w))
    grey = np.where(((x // 4 + y // 4) % 2) == 0, 230, 20).astype(np.uint8)
    grey[:, w // 2 :] = 60
    cv2.putText(grey, "VID", (w // 2 + 10, h // 2 - 20), cv2.FONT_HERSHEY_SIMPLEX, 3.2, 240, 12)
    cv2.putText(grey, "SORT", (w // 2 + 10, h - 40), cv2.FONT_HERSHEY_SIMPLEX, 2.6, 240, 10)
    bar = int((t * 160) % w)
    grey[:, bar : bar + 12] = 255
    rgb = np.repeat(grey[..., None], 3, axis=2)
    rgb[: h // 2, w // 2 :, 2] = 160  # a blue quarter: colour, too
    return rgb


@pytest.fixture(scope="module")
def detail_library(tmp_path_factory):
    """A library whose only unsorted video is the detail clip (H.264, 4 s, 24 fps)."""
    root = tmp_path_factory.mktemp("detail")
    data, artifacts = root / "videos", root / "artifacts"
    for folder in ("a", "b"):
        (data / folder).mkdir(parents=True)
    artifacts.mkdir()
    with av.open(str(data / "7100000000000001.mp4"), mode="w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 640, 400, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "16"}
        for i in range(96):
            frame = av.VideoFrame.from_ndarray(detail_frame(i / 24), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return data, artifacts


@pytest.fixture(scope="module")
def pane_cells(detail_library):
    """The video pane's region in cells, from the same app laid out by Pilot at COLS x ROWS."""
    import asyncio

    from vidsort_tui.core.config import Settings

    data, artifacts = detail_library
    settings = Settings.load(
        {"data_dir": data, "artifacts_dir": artifacts, "player": {"mode": "none"}}, environ={}
    )

    async def layout():
        async with VidsortApp(settings).run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            return pilot.app.screen.query_one(VideoView).region

    return asyncio.run(layout())


def grey(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32).mean(axis=2)


def edge_energy(rgb: np.ndarray) -> float:
    g = grey(rgb)
    return float(np.abs(np.diff(g, axis=0)).mean() + np.abs(np.diff(g, axis=1)).mean())


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Of the two images blurred (a pixel or two of offset must not matter)."""
    a, b = (cv2.GaussianBlur(grey(x), (0, 0), 3).ravel() for x in (a, b))
    return float(np.corrcoef(a, b)[0, 1])


def half_block_rendering(frame: np.ndarray, cols: int, rows: int, cell: tuple[int, int]):
    """What half-block cells show of the frame: two pixels a cell, each half a cell high."""
    small = cv2.resize(frame, (cols, rows * 2), interpolation=cv2.INTER_AREA)
    cw, ch = cell
    top = np.repeat(np.repeat(small[0::2], cw, axis=1), ch // 2, axis=0)
    bottom = np.repeat(np.repeat(small[1::2], cw, axis=1), ch - ch // 2, axis=0)
    out = np.empty((rows * ch, cols * cw, 3), np.uint8)
    for r in range(rows):
        out[r * ch : r * ch + ch // 2] = top[r * (ch // 2) : (r + 1) * (ch // 2)]
        out[r * ch + ch // 2 : (r + 1) * ch] = bottom[r * (ch - ch // 2) : (r + 1) * (ch - ch // 2)]
    return out


TERMINALS = {
    "xterm-sixel": ("xterm", xterm(COLS, ROWS)),
    "kitty-graphics": ("kitty", kitty(COLS, ROWS)),
}


class Run:
    """One run of the app in a terminal: the pane's screenshots and where the pane is."""

    def __init__(self, terminal: str, display: str, library, pane, workdir: Path,
                 extra: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.shots: dict[str, np.ndarray] = {}
        window_class, launcher = TERMINALS[terminal]
        data, artifacts = library
        self.done = workdir / "done"
        app = [sys.executable, "-m", "vidsort_tui.cli", "--data", str(data), "--artifacts",
               str(artifacts), "--player", "inline", "--mute", *extra]  # fmt: skip
        script = f"cd {shlex.quote(os.getcwd())}; {shlex.join(app)}; touch {self.done}; sleep 60"
        env = desktop_env(display, workdir)
        self.env, self.display = env, display
        self.process = subprocess.Popen([*launcher, "sh", "-c", script], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        x, y, width, height = window_geometry(display, window_class)
        self.cell = (width // COLS, height // ROWS)
        self.origin = (x, y)
        left, top = x + pane.x * self.cell[0], y + pane.y * self.cell[1]
        right, bottom = left + pane.width * self.cell[0], top + pane.height * self.cell[1]
        bottom -= (bottom - top) % 6  # a Sixel image is whole 6-pixel bands
        self.box = (left, top, right, bottom)
        self.expected = _letterbox(detail_frame(0)[..., ::-1], (right - left, bottom - top))
        self.half_blocks = edge_energy(
            half_block_rendering(self.expected, pane.width, pane.height, self.cell)
        )

    def pane(self) -> np.ndarray:
        left, top, right, bottom = self.box
        return screenshot(self.display)[top:bottom, left:right]

    def wait_for_video(self, energy: float, seconds: float = 30) -> np.ndarray:
        """The pane once its detail reaches ``energy`` (or when time is up)."""
        deadline = time.monotonic() + seconds
        while edge_energy(shot := self.pane()) < energy and time.monotonic() < deadline:
            time.sleep(0.3)
        return shot

    def quit(self) -> None:
        x, y = self.origin
        subprocess.run(["xdotool", "mousemove", str(x + 20), str(y + 20)], env=self.env, check=True)
        subprocess.run(["xdotool", "key", "q"], env=self.env, check=True)
        deadline = time.monotonic() + 15
        while not self.done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)

    def close(self, name: str) -> None:
        self.process.terminate()
        self.process.wait(10)
        keep = os.environ.get("VIDSORT_KEEP_SHOTS")  # a folder to keep the screenshots in
        if keep:
            for what, image in self.shots.items():
                cv2.imwrite(str(Path(keep) / f"{name}-{what.replace(' ', '-')}.png"),
                            image[..., ::-1])  # fmt: skip


def needs(program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")


@pytest.fixture(scope="module")
def real_half_blocks(display, detail_library, pane_cells, tmp_path_factory) -> float:
    """Edge energy of the pane in xterm with --graphics halfblock: the baseline to beat."""
    needs("xterm")
    run = Run("xterm-sixel", display, detail_library, pane_cells,
              tmp_path_factory.mktemp("halfblock"), ("--graphics", "halfblock"))  # fmt: skip
    try:
        # Half-blocks of this clip are mostly flat: wait until the pane is no longer blank.
        deadline = time.monotonic() + 30
        while grey(shot := run.pane()).std() < 20 and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(0.5)
        run.shots["playing"] = shot = run.pane()
        run.quit()
    finally:
        run.close("xterm-halfblock")
    assert correlation(shot, run.expected) > 0.6  # the same picture, only coarse
    assert edge_energy(shot) < 2 * run.half_blocks  # and the simulation below is fair
    return edge_energy(shot)


@pytest.mark.parametrize("terminal", list(TERMINALS))
def test_the_video_pane_shows_pixels(terminal, display, detail_library, pane_cells,
                                     real_half_blocks, tmp_path):  # fmt: skip
    needs(terminal.split("-")[0])
    shm_before = shared_memory_frames()
    run = Run(terminal, display, detail_library, pane_cells, tmp_path)
    baseline = max(real_half_blocks, run.half_blocks)
    try:
        run.shots["playing"] = run.wait_for_video(4 * baseline)
        time.sleep(0.6)
        run.shots["later"] = run.pane()
        run.quit()
        run.shots["after q"] = run.pane()
    finally:
        run.close(terminal)

    energy = edge_energy(run.shots["playing"])
    assert energy >= 4 * baseline, (energy, real_half_blocks, run.half_blocks)
    assert correlation(run.shots["playing"], run.expected) > 0.6
    moved = np.abs(grey(run.shots["later"]) - grey(run.shots["playing"])).mean()
    assert moved > 2.0  # the bar swept on: it plays
    assert run.done.exists()  # q quit the app
    assert grey(run.shots["after q"]).std() < 3.0  # nothing left where the video was
    assert shared_memory_frames() <= shm_before  # kitty took every frame it was handed


def shared_memory_frames() -> set[str]:
    shm = Path("/dev/shm")
    return {p.name for p in shm.glob("vidsort-*")} if shm.is_dir() else set()
