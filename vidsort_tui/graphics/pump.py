"""Encode only the newest frame, on its own thread, no faster than a frame-rate cap.

The player hands over frames as they come; a frame not yet encoded when a newer one
arrives is dropped, never queued. While one encoded frame is waiting to be written (the
terminal is slower than the video) nothing new is encoded, so a slow terminal costs
dropped frames, not lag or memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np

MAX_FPS = 30.0
Encoded = TypeVar("Encoded")
log = logging.getLogger(__name__)


class FramePump(Generic[Encoded]):
    """``submit`` from any thread; ``deliver`` is called on the pump's thread with each
    encoded frame; ``done`` (any thread) says that frame was written or thrown away."""

    def __init__(self, encode: Callable[[np.ndarray], Encoded],
                 deliver: Callable[[Encoded], None], max_fps: float = MAX_FPS) -> None:  # fmt: skip
        self._encode = encode
        self._deliver = deliver
        self._interval = 1.0 / max_fps
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._in_flight = False
        self._stop = False
        self.received = self.encoded = self.dropped = 0
        self.encode_seconds = 0.0  # thread CPU time spent encoding
        self._thread = threading.Thread(target=self._run, name="graphics-encoder", daemon=True)
        self._thread.start()

    def submit(self, frame: np.ndarray) -> None:
        with self._cond:
            self.received += 1
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._cond.notify()

    def forget(self) -> None:
        """Drop the frame waiting to be encoded (the video changed)."""
        with self._cond:
            self._frame = None

    def done(self) -> None:
        with self._cond:
            self._in_flight = False
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=2)

    def _next(self, not_before: float) -> np.ndarray | None:
        """Wait for a frame to encode (the newest), honouring the cap; None when closed."""
        with self._cond:
            while True:
                if self._stop:
                    return None
                wait = not_before - time.monotonic()
                if self._frame is not None and not self._in_flight and wait <= 0:
                    frame, self._frame, self._in_flight = self._frame, None, True
                    return frame
                self._cond.wait(wait if wait > 0 and self._frame is not None else None)

    def _run(self) -> None:
        not_before = 0.0
        while (frame := self._next(not_before)) is not None:
            not_before = time.monotonic() + self._interval
            started = time.thread_time()
            try:
                encoded = self._encode(frame)
            except Exception:  # a frame we cannot encode is skipped, the video goes on
                log.exception("could not encode a frame")
                self.done()
                continue
            self.encode_seconds += time.thread_time() - started
            self.encoded += 1
            self._deliver(encoded)
