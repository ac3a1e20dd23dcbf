"""What the video pane needs from a player backend, whichever one it is.

A backend decodes and renders frames at the size it is told (pixels: columns x 2*rows)
on its own thread, keeps only the newest one, and calls ``on_frame`` (which must be cheap
and thread-safe: the widget just posts a message). Every backend plays only what
``probe.open_checked`` accepted, from the descriptor it opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

FrameCallback = Callable[[np.ndarray], None]  # H x W x 3 uint8 RGB, newest frame


class Player(Protocol):
    name: str

    def play(self, path: Path | None) -> str | None:
        """Play ``path`` (None: stop). A file that is not one local video (probe.py) is not
        played: the answer is why, for the user; None when it plays."""

    def resize(self, width: int, height: int) -> None: ...
    def toggle_pause(self) -> bool: ...
    def seek(self, seconds: float) -> None: ...
    def toggle_mute(self) -> bool: ...
    @property
    def position(self) -> float | None: ...
    @property
    def duration(self) -> float | None: ...
    @property
    def paused(self) -> bool: ...
    @property
    def has_audio(self) -> bool | None:
        """Whether the video has an audio track (None: not known yet)."""

    @property
    def sound(self) -> bool:
        """Whether this player makes sound at all (not with --mute, not with OpenCV)."""

    def close(self) -> None: ...


def fit_size(video_w: int, video_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size with the video's aspect ratio inside the box (at least 2x2)."""
    if video_w <= 0 or video_h <= 0:
        return max(2, box_w), max(2, box_h)
    scale = min(box_w / video_w, box_h / video_h)
    return max(2, int(video_w * scale)), max(2, int(video_h * scale) // 2 * 2)
