"""The app's colours in real terminals, judged by their pixels on a virtual display.

Every terminal the README names must show the app as designed: the design is the same app laid
out by Pilot at the same size (each cell's background, and the confidences' colours), and the
terminal's screenshot must match it cell by cell. The terminals are started as a user starts
them: xterm as the README says (TERM=xterm, no COLORTERM; white default background), plain
xterm as xterm-256color, and kitty given a white default background, so a cell that shows the
terminal's default background instead of the theme's stands out. Half-block video is checked
for its colours too (a 16-colour terminal drew skin pure red).
"""

from __future__ import annotations

import asyncio
import colorsys
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from rich.color import Color

from tests.e2e.x11 import (
    MISSING_TOOLS,
    desktop_env,
    keep_shot,
    kitty,
    screenshot,
    window_geometry,
    xterm,
)
from tests.tui.conftest import predict_all
from vidsort_tui.core.config import Settings
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.video_list import VideoList
from vidsort_tui.tui.video_view import VideoView

pytestmark = pytest.mark.skipif(bool(MISSING_TOOLS), reason=f"needs {', '.join(MISSING_TOOLS)}")

COLS, ROWS = 100, 30
FONT = ("-fa", "DejaVu Sans Mono", "-fs", "9")
TERMINALS = {
    # name: (window class, launcher); xterm's default colours are black on white.
    "xterm-vt340": ("xterm", xterm(COLS, ROWS)),
    "xterm-256color": ("xterm", ["xterm", "-tn", "xterm-256color", "-b", "0", *FONT,
                                 "-geometry", f"{COLS}x{ROWS}+0+0", "-e"]),
    "kitty-white": ("kitty", kitty(COLS, ROWS, "-o", "background=#ffffff",
                                   "-o", "foreground=#000000")),
}  # fmt: skip
# The accepted row's confidence (green: `A` files it) and a likely one's (yellow).
GUESSES = {"7100000000000001.mp4": ("alpha", 0.90), "7100000000000002.mp4": ("alpha", 0.95),
           "7100000000000003.mp4": ("beta", 0.65), "7100000000000004.mp4": ("beta", 0.30)}  # fmt: skip
ACCEPTED, LIKELY = "7100000000000002.mp4", "7100000000000003.mp4"
QUADRANTS = ((224, 172, 140), (40, 150, 140), (230, 120, 40), (110, 60, 170))  # skin, teal, ...


@dataclass
class Design:
    """What the app draws at COLS x ROWS, from Pilot: each cell's background and foreground
    (RGB; None where the app leaves it to the terminal), where rows and the video pane are."""

    background: list[list[tuple[int, int, int] | None]]
    foreground: list[list[tuple[int, int, int] | None]]
    text: list[str]
    rows: dict[str, int]  # list row (screen y) of each video
    confidence: tuple[int, int]  # the confidence column: first x, end x
    list_background: tuple[int, int, int]  # what the list's own style says
    video: tuple[int, int, int, int]  # x, y, width, height in cells


def rgb(color: Color | None, app: VidsortApp) -> tuple[int, int, int] | None:
    if color is None:
        return None
    r, g, b = color.get_truecolor(app.ansi_theme)
    return r, g, b


def design_of(settings: Settings) -> Design:
    async def layout() -> Design:
        async with VidsortApp(settings).run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            await pilot.pause(0.3)
            app = pilot.app
            strips = app.screen._compositor.render_strips()
            background, foreground, text = [], [], []
            for strip in strips:
                bgs, fgs, chars = [], [], ""
                for segment in strip:
                    for char in segment.text:
                        style = segment.style
                        bgs.append(rgb(style.bgcolor if style else None, app))
                        fgs.append(rgb(style.color if style else None, app))
                        chars += char
                background.append(bgs)
                foreground.append(fgs)
                text.append(chars)
            videos = app.screen.query_one(VideoList)
            region = videos.scrollable_content_region
            rows = {videos.get_row_at(i)[0]: region.y + 1 + i for i in range(videos.row_count)}
            conf = videos.columns()[2]
            view = app.screen.query_one(VideoView).region
            return Design(background, foreground, text, rows,
                          (region.right - conf, region.right),
                          rgb(videos.rich_style.bgcolor, app), tuple(view))  # fmt: skip

    return asyncio.run(layout())


@pytest.fixture(scope="module")
def colour_library(tmp_path_factory, clip_factory) -> Settings:
    """Two folders, four unsorted videos predicted at 90%, 95%, 65% and 30%."""
    root = tmp_path_factory.mktemp("colours")
    data, artifacts = root / "videos", root / "artifacts"
    for folder in ("alpha", "beta"):
        (data / folder).mkdir(parents=True)
        shutil.copyfile(clip_factory("sea"), data / folder / "7000000000000001.mp4")
    artifacts.mkdir()
    for name in GUESSES:
        shutil.copyfile(clip_factory("fire"), data / name)
    settings = Settings.load({"data_dir": data, "artifacts_dir": artifacts,
                              "player": {"mode": "none"}, "model": {"auto_train": False}},
                             environ={})  # fmt: skip
    predict_all(settings, GUESSES)
    return settings


@pytest.fixture(scope="module")
def quadrant_library(tmp_path_factory) -> tuple[Settings, list[tuple[int, int, int]]]:
    """One unsorted video of four flat colour quadrants; the colours as decoded."""
    root = tmp_path_factory.mktemp("quadrants")
    data, artifacts = root / "videos", root / "artifacts"
    (data / "alpha").mkdir(parents=True)
    artifacts.mkdir()
    frame = np.zeros((400, 640, 3), np.uint8)
    for i, colour in enumerate(QUADRANTS):
        frame[(i // 2) * 200 : (i // 2 + 1) * 200, (i % 2) * 320 : (i % 2 + 1) * 320] = colour
    path = data / "7100000000000001.mp4"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 640, 400, "yuv420p"
        stream.options = {"crf": "12"}
        for _ in range(72):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with av.open(str(path)) as container:
        decoded = next(container.decode(video=0)).to_ndarray(format="rgb24")
    centres = [decoded[100 + (i // 2) * 200, 160 + (i % 2) * 320] for i in range(4)]
    settings = Settings.load({"data_dir": data, "artifacts_dir": artifacts,
                              "player": {"mode": "inline", "audio": False},
                              "model": {"auto_train": False}}, environ={})  # fmt: skip
    return settings, [tuple(int(v) for v in c) for c in centres]


class Terminal:
    """The app in a real terminal: its window's cells as screenshots see them."""

    def __init__(self, name: str, display: str, settings: Settings, workdir: Path,
                 extra: tuple[str, ...] = ()) -> None:  # fmt: skip
        window_class, launcher = TERMINALS[name]
        self.name, self.display, self.done = name, display, workdir / "done"
        app = [sys.executable, "-m", "vidsort_tui.cli", "--data", str(settings.data_dir),
               "--artifacts", str(settings.artifacts_dir), "--player", settings.player.mode,
               "--no-auto-train", "--mute", *extra]  # fmt: skip
        script = f"cd {shlex.quote(os.getcwd())}; {shlex.join(app)}; touch {self.done}; sleep 60"
        self.env = desktop_env(display, workdir)  # no COLORTERM: the app must ask the terminal
        self.process = subprocess.Popen([*launcher, "sh", "-c", script], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        x, y, width, height = window_geometry(display, window_class)
        self.origin, self.cell = (x, y), (width // COLS, height // ROWS)

    def window(self) -> np.ndarray:
        (x, y), (cw, ch) = self.origin, self.cell
        return screenshot(self.display)[y : y + ROWS * ch, x : x + COLS * cw]

    def settled(self, ready, seconds: float = 40) -> np.ndarray:
        """The window once ``ready(shot)`` holds and two shots in a row are the same."""
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            shot = self.window()
            if last is not None and np.array_equal(shot, last) and ready(shot):
                return shot
            last = shot
            time.sleep(0.5)
        return last

    def cell_pixels(self, shot: np.ndarray, x: int, y: int) -> np.ndarray:
        cw, ch = self.cell
        return shot[y * ch : (y + 1) * ch, x * cw : (x + 1) * cw].reshape(-1, 3)

    def quit(self) -> None:
        x, y = self.origin
        subprocess.run(["xdotool", "mousemove", str(x + 20), str(y + 20)], env=self.env, check=True)
        subprocess.run(["xdotool", "key", "q"], env=self.env, check=True)
        deadline = time.monotonic() + 15
        while not self.done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.process.terminate()
        self.process.wait(10)


def needs(program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")


def cell_background(pixels: np.ndarray) -> np.ndarray:
    """The cell's most common colour: its background (glyphs cover a minority of pixels)."""
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return colours[counts.argmax()].astype(int)


def ink(pixels: np.ndarray, background: np.ndarray) -> np.ndarray | None:
    """The glyph's colour: the pixels furthest from the background (its fully covered ones)."""
    distance = np.abs(pixels.astype(int) - background).sum(axis=1)
    if (distance > 90).sum() < 4:
        return None
    return pixels[np.argsort(distance)[-4:]].astype(int).mean(axis=0)


def saturation(image: np.ndarray) -> np.ndarray:
    top, bottom = image.max(axis=2).astype(float), image.min(axis=2).astype(float)
    return (top - bottom) / np.maximum(top, 1)


def hue(colour) -> float:
    r, g, b = (float(c) / 255 for c in colour)
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


@pytest.fixture(scope="module")
def colour_design(colour_library) -> Design:
    return design_of(colour_library)


def test_the_design_paints_every_cell_itself(colour_design):
    """No cell is left to the terminal's default background (white in xterm, black in kitty)."""
    design = colour_design
    bare = [(x, y) for y, row in enumerate(design.background) for x, bg in enumerate(row)
            if bg is None]  # fmt: skip
    assert not bare, f"{len(bare)} cells without a background, e.g. {bare[:5]}"


@pytest.mark.parametrize("key", ["question_mark", "slash", "n", "A"])
def test_every_dialog_paints_every_cell_itself_too(colour_library, key):
    """Help, the folder picker, the new-folder prompt, the accept-all confirmation: over the
    dimmed main screen, every cell still has a background of the app's own."""

    async def bare() -> list[tuple[int, int]]:
        async with VidsortApp(colour_library).run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause(0.3)
            app = pilot.app
            assert len(app.screen_stack) > 1  # the dialog is open
            update = app.screen._compositor.render_update(
                full=True, screen_stack=app._background_screens
            )
            cells = []
            for y, line in enumerate(update.strips):  # each line: the strips it is made of
                segments = [segment for strip in line for segment in strip]
                cells += [(x, y) for x, segment in
                          enumerate(s for s in segments for _ in s.text)
                          if segment.style is None or segment.style.bgcolor is None]  # fmt: skip
            return cells

    cells = asyncio.run(bare())
    assert not cells, f"{len(cells)} cells without a background, e.g. {cells[:5]}"


@pytest.mark.parametrize("terminal", list(TERMINALS))
def test_the_terminal_shows_the_designed_colours(terminal, display, colour_library,
                                                colour_design, tmp_path):  # fmt: skip
    needs(TERMINALS[terminal][1][0])
    design = colour_design
    run = Terminal(terminal, display, colour_library, tmp_path)

    def drawn(shot: np.ndarray) -> bool:
        pixels = run.cell_pixels(shot, design.confidence[1] - 1, design.rows[ACCEPTED])  # "%"
        return ink(pixels, cell_background(pixels)) is not None

    try:
        shot = run.settled(drawn)
        keep_shot(f"colours-{terminal}", shot)
    finally:
        run.quit()

    # Every cell's background as designed.
    wrong = []
    for y in range(ROWS):
        for x in range(COLS):
            want = design.background[y][x] or design.list_background
            got = cell_background(run.cell_pixels(shot, x, y))
            if np.abs(got - np.array(want)).max() > 24:
                wrong.append((x, y, tuple(got), want))
    assert len(wrong) <= COLS * ROWS // 100, f"{len(wrong)} cells off, e.g. {wrong[:4]}"
    list_bg = cell_background(run.cell_pixels(shot, design.confidence[0], design.rows[LIKELY]))
    assert list_bg.max() < 80  # the list is dark, like the rest of the app

    # The confidences in their colours: green where `A` files them, yellow where likely.
    for name, expected_hue in ((ACCEPTED, "green"), (LIKELY, "yellow")):
        y = design.rows[name]
        for x in range(*design.confidence):
            if design.text[y][x] in "0123456789":
                want = design.foreground[y][x]
                got = ink(run.cell_pixels(shot, x, y), list_bg)
                assert got is not None, (name, x)
                assert abs(hue(got) - hue(want)) < 12, (expected_hue, name, x, got, want)
                assert np.abs(got - np.array(want)).max() < 64, (expected_hue, name, x, got, want)
    assert 45 <= hue(design.foreground[design.rows[LIKELY]][design.confidence[1] - 2]) <= 65

    # The footer's key letters (the accent, orange) and their labels, as designed.
    footer = ROWS - 1
    letters = [x for x, char in enumerate(design.text[footer]) if char.isascii() and char.isalpha()]
    assert len(letters) > 20
    for x in letters:
        want = np.array(design.foreground[footer][x])
        pixels = run.cell_pixels(shot, x, footer)
        got = ink(pixels, cell_background(pixels))
        assert got is not None and np.abs(got - want).max() < 64, (x, got, want)


def test_half_blocks_keep_the_videos_colours_in_xterm(display, quadrant_library, tmp_path):
    """xterm says TERM=xterm (8 colours): the frame's colours must still arrive as they are."""
    needs("xterm")
    settings, colours = quadrant_library
    design = design_of(settings.with_changes(player={"mode": "none"}))
    vx, vy, vw, vh = design.video
    run = Terminal("xterm-vt340", display, settings, tmp_path, ("--graphics", "halfblock"))
    cw, ch = run.cell

    def pane(shot: np.ndarray) -> np.ndarray:
        return shot[vy * ch : (vy + vh) * ch, vx * cw : (vx + vw) * cw]

    try:
        shot = run.settled(lambda s: (saturation(pane(s)) > 0.3).mean() > 0.2)  # drawn
        keep_shot("colours-halfblock-xterm", shot)
    finally:
        run.quit()
    picture = pane(shot)
    ys, xs = np.nonzero(picture.max(axis=2) > 30)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    h, w = bottom - top, right - left
    for i, want in enumerate(colours):
        qy, qx = top + (i // 2) * h // 2, left + (i % 2) * w // 2
        patch = picture[qy + h // 8 : qy + 3 * h // 8, qx + w // 8 : qx + 3 * w // 8]
        got = np.median(patch.reshape(-1, 3), axis=0)
        assert np.abs(got - np.array(want)).max() <= 16, (i, got, want)
