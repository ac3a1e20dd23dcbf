"""The video pane's frames as terminal images (Kitty graphics or Sixel), drawn over its cells.

The pane itself paints blank cells; each encoded frame is written after Textual's own
output, through Textual's writer (so the two never interleave), at the pane's top-left
cell. Whenever anything covers the pane (a modal screen, a notification) the image is
taken away and the pane paints half-block cells again, so Textual's compositor draws the
cover as usual; when uncovered, the newest frame is drawn again. Sixel pixels are erased
by any text written over them, so after Textual repaints the pane the last image is
rewritten; Kitty images sit above the text and need nothing.

Textual has no public way to write raw bytes or to ask what covers a widget, so this
module (and only this one) reads ``app._driver`` and ``screen._compositor``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from textual.app import App
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from vidsort_tui.graphics import sixel
from vidsort_tui.graphics.detect import TerminalGraphics
from vidsort_tui.graphics.kitty import KittyImage, Payload
from vidsort_tui.graphics.pump import FramePump

RETRY_SECONDS = 0.005  # how soon to try again when the terminal has not taken the last frame
COVER_CHECK_SECONDS = 0.25  # catches covers that appear while the video is paused


@dataclass(frozen=True)
class Geometry:
    """Where the image goes: the pane's cells on screen and the frame's pixel size."""

    x: int
    y: int
    cols: int
    rows: int
    width: int
    height: int


@dataclass
class Encoded:
    payload: Payload
    geometry: Geometry


class ImageEncoded(Message):
    """Posted from the encoder thread to the pane: a frame is ready to be written."""

    def __init__(self, encoded: Encoded | None) -> None:
        super().__init__()
        self.encoded = encoded


class GraphicsLayer:
    """Everything between encoded frames and the terminal for one pane."""

    def __init__(
        self,
        view: Widget,
        graphics: TerminalGraphics,
        repaint_cells: Callable[[], None],
        resize_player: Callable[[], None],
    ) -> None:
        self.view = view
        self._repaint_cells = repaint_cells  # the pane paints blank or half-block cells
        self._resize_player = resize_player  # asks for frames of the new pixel size
        self.graphics = graphics
        self.mode = graphics.mode
        self._kitty = (
            KittyImage(_image_id(), "shm" if graphics.kitty_shm else "zlib")
            if self.mode == "kitty"
            else None
        )
        self.geometry: Geometry | None = None
        self.covered = True  # until the first check says otherwise
        self.frames_written = 0
        self.bytes_written = 0
        self._last_frame: np.ndarray | None = None
        self._pending: Encoded | None = None  # encoded, waiting for the terminal to catch up
        self._shown: Encoded | None = None  # on screen now (Sixel: rewritten after repaints)
        self._retry: Timer | None = None
        self._check_queued = False
        self._pump: FramePump[Encoded | None] = FramePump(self._encode, self._delivered)
        self._interval = view.set_interval(COVER_CHECK_SECONDS, self.check)

    # ----- sizes -------------------------------------------------------------------------
    def pixel_size(self, cols: int, rows: int) -> tuple[int, int]:
        """The frame size that fills ``cols`` x ``rows`` cells (Sixel: whole bands)."""
        cell_w, cell_h = self.graphics.cell
        width, height = max(2, cols * cell_w), max(6, rows * cell_h)
        if self.mode == "sixel":
            if self.graphics.sixel_max:
                width = min(width, self.graphics.sixel_max[0])
                height = min(height, self.graphics.sixel_max[1])
            height -= height % sixel.BAND
        return width, height

    def resize(self) -> tuple[int, int]:
        """The pane moved or changed size: take the image away; returns the new frame size."""
        region = self.view.region
        width, height = self.pixel_size(region.width, region.height)
        self.geometry = Geometry(region.x, region.y, region.width, region.height, width, height)
        self.clear()
        if self._last_frame is not None and not self.covered:
            self._pump.submit(self._last_frame)  # still right if only the place changed
        return width, height

    # ----- frames ------------------------------------------------------------------------
    def submit(self, frame: np.ndarray) -> None:
        """Player thread: the newest frame."""
        self._last_frame = frame
        if not self.covered:
            self._pump.submit(frame)

    def _encode(self, frame: np.ndarray) -> Encoded | None:
        """Encoder thread."""
        geometry = self.geometry
        if geometry is None or frame.shape[:2] != (geometry.height, geometry.width):
            return None  # rendered for an older size: the next frame will fit
        if self._kitty is not None:
            payload = self._kitty.frame(frame, geometry.cols, geometry.rows)
        else:
            payload = Payload(sixel.encode(frame))
        return Encoded(payload, geometry)

    def _delivered(self, encoded: Encoded | None) -> None:
        """Encoder thread: hand the frame to the event loop."""
        if not self.view.post_message(ImageEncoded(encoded)):
            self._discard(encoded)

    def encoded(self, encoded: Encoded | None) -> None:
        """Event loop: write the frame if it still fits and nothing covers the pane."""
        if encoded is None or encoded.geometry != self.geometry or self.covered:
            self._discard(encoded)
            return
        self._pending = encoded  # the pump encodes nothing more until this one is done
        self._flush()

    def _flush(self) -> None:
        self._retry = None
        encoded, app = self._pending, self.view.app
        if encoded is None:
            return
        if _backlog(app):
            self._retry = self._retry or self.view.set_timer(RETRY_SECONDS, self._flush)
            return
        self._pending = None
        self._write(encoded)
        self._shown = encoded
        self.frames_written += 1
        self._pump.done()

    def _write(self, encoded: Encoded) -> None:
        g = encoded.geometry
        data = encoded.payload.data
        self.bytes_written += len(data)
        # Save the cursor, draw at the pane's top-left cell, restore; then an empty write:
        # the writer queue is empty again only once the frame itself has been written.
        _write(self.view.app, b"\x1b7\x1b[%d;%dH" % (g.y + 1, g.x + 1) + data + b"\x1b8")
        _write(self.view.app, b"")

    def _discard(self, encoded: Encoded | None) -> None:
        if encoded is not None and encoded.payload.discard is not None:
            encoded.payload.discard()
        self._pump.done()

    # ----- covering, repainting, switching -----------------------------------------------
    def repainted(self) -> None:
        """Textual is repainting the pane: look again once that output is written."""
        if not self._check_queued:
            self._check_queued = True
            self.view.call_after_refresh(self._after_repaint)

    def _after_repaint(self) -> None:
        self._check_queued = False
        if not self.check() and not self.covered and self.mode == "sixel" and self._shown:
            self._write(self._shown)  # the repaint wrote over the sixel pixels

    def check(self) -> bool:
        """Follow the pane: hide or show the image when its cover changed, start again at
        a new place or size. True if anything changed."""
        region = self.view.region
        g = self.geometry
        if g is not None and (region.x, region.y, region.width, region.height) != (
            g.x, g.y, g.cols, g.rows
        ):  # fmt: skip
            self._resize_player()  # calls resize(): a new geometry, the image cleared
            return True
        covered = _is_covered(self.view)
        if covered == self.covered:
            return False
        self.covered = covered
        if covered:
            self.clear()
        else:
            self._repaint_cells()  # blank cells under the image
            if self._last_frame is not None:
                self._pump.submit(self._last_frame)
        return True

    def clear(self) -> None:
        """Take the image off the screen and forget frames on their way (video switch,
        resize, cover); the pane repaints its cells."""
        self._pump.forget()
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._discard(pending)
        if self._shown is not None and self._kitty is not None:
            _write(self.view.app, self._kitty.hide())
        self._shown = None
        self._repaint_cells()

    def forget_frame(self) -> None:
        """The video changed: its last frame must not come back."""
        self._last_frame = None
        self.clear()

    def release(self) -> None:
        """Before the app leaves the terminal (quit, suspend): delete the image there."""
        self.clear()
        if self._kitty is not None:
            _write(self.view.app, self._kitty.delete())

    def close(self) -> None:
        self._interval.stop()
        self._pump.close()
        if self._pending is not None:
            self._discard(self._pending)
        if self._kitty is not None:
            self._kitty.close()


def _image_id() -> int:
    """An image id unlikely to meet another program's in the same terminal (24 bits, nonzero)."""
    return 0x100000 | (os.getpid() & 0xFFFFF)


def _write(app: App[object], data: bytes) -> None:
    driver = app._driver
    if driver is not None and app.is_running and not app.is_headless:
        driver.write(data.decode("ascii"))


def _backlog(app: App[object]) -> int:
    """Writes Textual has queued but not yet handed to the terminal (0 if unknown)."""
    queue = getattr(getattr(app._driver, "_writer_thread", None), "_queue", None)
    return queue.qsize() if queue is not None else 0


def _is_covered(view: Widget) -> bool:
    """True unless the pane is on the active screen and no widget is drawn over any of it."""
    with contextlib.suppress(NoMatches, LookupError, AttributeError):
        screen = view.screen
        if not screen.is_active or not view.display:
            return True
        region = view.region
        if not region.area:
            return True
        for widget, (widget_region, clip) in screen._compositor.visible_widgets.items():
            if widget is view:  # front to back: everything before this is drawn over us
                return False
            if widget_region.intersection(clip).overlaps(region):
                return True
    return True
