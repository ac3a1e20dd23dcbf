"""What the content network sees of a video: its picture without black bars, in square crops.

A letterboxed or pillarboxed copy of a clip (a landscape clip saved into a portrait frame,
or the other way round) would otherwise be cropped to a square holding bars and a shrunken
picture, and embed far from the clip it copies. The bars are found once per video -- the
rows and columns at the edges that are dark in *every* sampled frame -- so a dark scene in
one frame is not cut away, and every frame is cut the same way.
"""

from __future__ import annotations

import cv2
import numpy as np

#: a border row or column whose mean (0-255) stays at or below this in every frame is a bar
BAR_LEVEL = 16.0
#: bars never take more than this share of a side away (a nearly black video keeps its frame)
MIN_PICTURE = 0.25


def picture_box(frames: list[np.ndarray]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the picture inside the bars the RGB frames share.

    Rows are measured across the picture's columns and columns across its rows (twice over),
    so a dark picture between tall bars is not taken for a bar itself.
    """
    h, w = frames[0].shape[:2]
    whole = (0, h, 0, w)
    if any(f.shape[:2] != (h, w) for f in frames):
        return whole
    greys = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float32) for f in frames]
    top, bottom, left, right = whole
    for _ in range(2):
        rows = np.max([g[:, left:right].mean(1) for g in greys], axis=0)
        bright = np.flatnonzero(rows > BAR_LEVEL)
        if bright.size < MIN_PICTURE * h:
            return whole
        top, bottom = int(bright[0]), int(bright[-1]) + 1
        cols = np.max([g[top:bottom].mean(0) for g in greys], axis=0)
        bright = np.flatnonzero(cols > BAR_LEVEL)
        if bright.size < MIN_PICTURE * w:
            return whole
        left, right = int(bright[0]), int(bright[-1]) + 1
    return top, bottom, left, right


def without_bars(frames: list[np.ndarray]) -> list[np.ndarray]:
    """The frames cut to the picture their shared bars surround (views, not copies)."""
    if not frames:
        return frames
    top, bottom, left, right = picture_box(frames)
    return [f[top:bottom, left:right] for f in frames]


def square(frame: np.ndarray, size: int) -> np.ndarray:
    """The centred ``size`` x ``size`` square of an RGB frame (scaled first if its short side
    differs)."""
    h, w = frame.shape[:2]
    if min(h, w) != size:
        scale = size / min(h, w)
        shape = (max(size, round(w * scale)), max(size, round(h * scale)))
        shrink = scale < 1
        frame = cv2.resize(
            frame, shape, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        )
        h, w = frame.shape[:2]
    top, left = (h - size) // 2, (w - size) // 2
    return frame[top : top + size, left : left + size]


def crops(frames: list[np.ndarray], size: int) -> np.ndarray:
    """N x size x size x 3 uint8: one centred square of each frame's picture (bars cut)."""
    return np.stack([np.ascontiguousarray(square(f, size)) for f in without_bars(frames)])
