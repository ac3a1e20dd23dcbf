"""The video pane: frames painted as half-block cells, newest frame only; where the terminal
shows images (Kitty graphics, Sixel) a GraphicsLayer draws them at the pane's pixel size
over blank cells, and the half-blocks come back only while something covers the pane.

Each cell is "▀" with the foreground the top pixel and the background the bottom pixel, so
a terminal cell shows two pixels. Colours are quantised to 6 bits a channel, which keeps
the style cache small and runs long; a frame arriving while the last is still unpainted
replaces it, so a slow terminal drops frames instead of lagging behind the video.
"""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import cv2
import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from vidsort_tui.graphics.detect import TerminalGraphics
from vidsort_tui.player import create_player
from vidsort_tui.player.base import Player
from vidsort_tui.tui.graphics_layer import GraphicsLayer, ImageEncoded

HALF_BLOCK = "▀"


class VideoView(Widget):
    DEFAULT_CSS = """
    VideoView { background: black; }
    """

    class FrameReady(Message):
        """Posted from the player thread; carries nothing (the frame is in the widget)."""

    def __init__(self, player: str = "auto", audio: bool = True, *, id: str | None = None,
                 classes: str | None = None) -> None:  # fmt: skip
        super().__init__(id=id, classes=classes)
        self._mode = player
        self._audio = audio
        self._player: Player | None = None
        self.backend_name = "none"
        self.fallback_hint: str | None = None
        self.frames_painted = 0
        self._frame: np.ndarray | None = None  # newest frame, H x W x 3
        self._keys: np.ndarray | None = None  # per-cell style keys of the painted frame
        self._pending = threading.Event()
        self._styles: dict[int, Style] = {}
        self._path: Path | None = None
        #: why the player refused the file shown (not one local video: player/probe.py)
        self.unplayable: str | None = None
        self.graphics: GraphicsLayer | None = None

    # ----- lifecycle ---------------------------------------------------------------------
    def on_mount(self) -> None:
        self._player, self.fallback_hint = create_player(self._mode, self._on_frame, self._audio)
        self.backend_name = self._player.name if self._player else "none"
        terminal: TerminalGraphics | None = getattr(self.app, "graphics", None)
        if terminal is not None and terminal.mode != "halfblock" and self.backend_name != "window":
            self.graphics = GraphicsLayer(self, terminal, self._repaint_cells, self._resize_player)
            self.app.app_suspend_signal.subscribe(self, lambda _app: self.release_graphics())
        self._resize_player()
        if self._path is not None and self._player is not None:
            self._show_refusal(self._player.play(self._path))

    def on_unmount(self) -> None:
        self.stop()

    def on_resize(self) -> None:
        self._resize_player()

    def _resize_player(self) -> None:
        size = self.graphics.resize() if self.graphics else None
        if self._player is not None:
            width, height = size or (max(2, self.size.width), max(2, self.size.height * 2))
            self._player.resize(width, height)

    def release_graphics(self) -> None:
        """The app is leaving the terminal (quit, suspend): delete the image there."""
        if self.graphics is not None:
            self.graphics.release()

    # ----- frames ------------------------------------------------------------------------
    def _on_frame(self, frame: np.ndarray) -> None:
        """Player thread: keep only the newest frame; ask for one repaint at a time."""
        if self.unplayable:
            return  # a frame of the video before, still on its way: not this file's
        self._frame = frame
        if self.graphics is not None:
            self.graphics.submit(frame)
            if not self.graphics.covered:
                return  # drawn as an image: the cells stay blank
        if not self._pending.is_set():
            self._pending.set()
            self.post_message(self.FrameReady())

    def on_video_view_frame_ready(self, _message: FrameReady) -> None:
        self._pending.clear()
        frame = self._frame
        showing_image = self.graphics is not None and not self.graphics.covered
        if frame is None or self.unplayable or showing_image:
            return
        self._keys = cell_keys(self._cell_frame(frame))
        self.frames_painted += 1
        self.refresh()

    def on_image_encoded(self, message: ImageEncoded) -> None:
        message.stop()
        if self.graphics is not None:
            self.graphics.encoded(message.encoded)

    def _cell_frame(self, frame: np.ndarray) -> np.ndarray:
        """The frame at two pixels a cell (frames for images come at the pane's pixel size)."""
        width, height = max(2, self.size.width), max(2, self.size.height * 2)
        if self.graphics is None or frame.shape[:2] == (height, width):
            return frame
        return cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)

    def _repaint_cells(self) -> None:
        """Blank cells under an image; half-blocks of the newest frame while covered."""
        showing_image = self.graphics is not None and not self.graphics.covered
        frame = self._frame
        self._keys = None if showing_image or frame is None else cell_keys(self._cell_frame(frame))
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.graphics is not None:
            self.graphics.repainted()  # Textual is painting over the pane (a Sixel image)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        keys = self._keys
        if self.unplayable and self._path:
            return self._refusal_line(y, width)
        if self.backend_name == "window" and y == self.size.height // 2 and self._path:
            text = f" playing in its own window: {self._path.name} "[:width].center(width)
            return Strip([Segment(text, Style(color="white", bgcolor="black"))], width)
        if keys is None or y >= keys.shape[0]:
            return Strip.blank(width, Style(bgcolor="black"))
        row = keys[y]
        segments: list[Segment] = []
        start = 0
        cells = min(width, row.shape[0])
        # One segment per run of identical cells: video rows are mostly long runs.
        change = np.flatnonzero(row[1:cells] != row[: cells - 1]) + 1
        for end in [*change.tolist(), cells]:
            segments.append(Segment(HALF_BLOCK * (end - start), self._style(int(row[start]))))
            start = end
        if cells < width:
            segments.append(Segment(" " * (width - cells), Style(bgcolor="black")))
        return Strip(segments, width)

    def _style(self, key: int) -> Style:
        style = self._styles.get(key)
        if style is None:
            if len(self._styles) > 50_000:
                self._styles.clear()
            top, bottom = key >> 18, key & 0x3FFFF
            style = Style(color=_colour(top), bgcolor=_colour(bottom))
            self._styles[key] = style
        return style

    # ----- controls ----------------------------------------------------------------------
    def play(self, path: Path | None) -> None:
        self._path = path
        if self.graphics is not None:
            self._frame = None
            self.graphics.forget_frame()
        if path is None:
            self._keys = None
            self.refresh()
        if self._player is not None:
            self._show_refusal(self._player.play(path))

    def _show_refusal(self, reason: str | None) -> None:
        """The player would not open the file: say why in the pane, never a stale frame."""
        self.unplayable = reason
        if reason:
            self._frame = self._keys = None
            if self.graphics is not None:
                self.graphics.forget_frame()
        self.refresh()

    def _refusal_line(self, y: int, width: int) -> Strip:
        lines = ["Cannot play this file:", *textwrap.wrap(self.unplayable or "", max(8, width - 2))]
        top = max(0, (self.size.height - len(lines)) // 2)
        text = lines[y - top] if 0 <= y - top < len(lines) else ""
        style = Style(color="yellow" if y == top else "white", bgcolor="black")
        return Strip([Segment(text[:width].center(width), style)], width)

    def toggle_pause(self) -> bool:
        return self._player.toggle_pause() if self._player else True

    def seek(self, seconds: float) -> None:
        if self._player is not None:
            self._player.seek(seconds)

    def toggle_mute(self) -> bool:
        return self._player.toggle_mute() if self._player else True

    @property
    def path(self) -> Path | None:
        """The video being shown (None: nothing)."""
        return self._path

    @property
    def position(self) -> float | None:
        return self._player.position if self._player else None

    @property
    def duration(self) -> float | None:
        return self._player.duration if self._player else None

    @property
    def paused(self) -> bool:
        return self._player.paused if self._player else False

    @property
    def has_audio(self) -> bool | None:
        """Whether the video has an audio track (None: not known, or no player)."""
        return self._player.has_audio if self._player else None

    @property
    def sound(self) -> bool:
        """Whether the player makes sound at all (not with --mute or OpenCV playback)."""
        return self._player.sound if self._player else False

    @property
    def has_player(self) -> bool:
        return self._player is not None

    def stop(self) -> None:
        player, self._player = self._player, None
        if player is not None:
            player.close()
        graphics, self.graphics = self.graphics, None
        if graphics is not None:
            graphics.release()
            graphics.close()


def cell_keys(frame: np.ndarray) -> np.ndarray:
    """rows x cols int64 keys: top pixel's 18-bit colour << 18 | bottom pixel's."""
    if frame.shape[0] % 2:
        frame = frame[:-1]
    q = (frame >> 2).astype(np.int64)  # 6 bits a channel
    code = (q[..., 0] << 12) | (q[..., 1] << 6) | q[..., 2]
    return (code[0::2] << 18) | code[1::2]


def _colour(code: int) -> str:
    r, g, b = (code >> 12) & 63, (code >> 6) & 63, code & 63
    return f"#{r << 2 | r >> 4:02x}{g << 2 | g >> 4:02x}{b << 2 | b >> 4:02x}"
