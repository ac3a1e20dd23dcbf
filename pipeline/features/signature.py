"""A cheap perceptual signature of a video, for telling near-duplicates from look-alikes.

Two clips of one sport have close content embeddings; two copies of one clip also have
close *pictures*. Per sampled frame: the black bars the video's frames share (letterboxing,
``pipeline.features.framing``) cut, a central window kept (a corner watermark falls outside), the
window made mirror-symmetric (a mirrored copy gives the same picture), shrunk to 16 x 16 and
thresholded at its median -- 128 bits of the left half. The duration is kept beside the
bits. Robust to re-encoding, resizing, bars, mirroring and small overlays; a trimmed copy is
matched frame to nearest frame.
Bump SIGNATURE_VERSION whenever the output changes (it has its own cache table).
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.features import framing

#: 2: bars found once per video, rows measured across the picture (a dark clip between tall
#: bars lost columns to the per-frame test and missed its copy)
SIGNATURE_VERSION = 2
GRID = 16
#: fraction of the trimmed frame kept around its centre (watermarks sit in corners)
WINDOW = 0.8
BITS = GRID * GRID // 2
WORDS = BITS // 64


def frame_bits(frame: np.ndarray) -> np.ndarray:
    """WORDS uint64 words: the mirror-invariant average hash of a frame's picture."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    dy, dx = int(h * (1 - WINDOW) / 2), int(w * (1 - WINDOW) / 2)
    window = grey[dy : h - dy, dx : w - dx].astype(np.float32)
    small = cv2.resize(window, (GRID, GRID), interpolation=cv2.INTER_AREA)
    symmetric = (small + small[:, ::-1])[:, : GRID // 2]
    bits = (symmetric > np.median(symmetric)).ravel()
    words: np.ndarray = np.packbits(bits).view(">u8").astype(np.uint64)
    return words


def signature(frames: list[np.ndarray], duration: float) -> np.ndarray:
    """uint64 vector: [duration in ms, frame count, then each frame's WORDS words]."""
    pictures = framing.without_bars(frames)
    words = np.stack([frame_bits(f) for f in pictures]) if frames else np.zeros((0, WORDS))
    head = np.array([max(0, round(duration * 1000)), len(frames)], np.uint64)
    return np.concatenate([head, words.astype(np.uint64).ravel()])


def is_signature(vector: np.ndarray) -> bool:
    """A vector ``signature`` could have made (a damaged cache row is not one)."""
    return vector.ndim == 1 and vector.size >= 2 and vector.size == 2 + int(vector[1]) * WORDS


def unpack(vector: np.ndarray) -> tuple[float, np.ndarray]:
    """(duration in seconds, frames x WORDS uint64) of a ``signature`` vector."""
    count = int(vector[1])
    return int(vector[0]) / 1000, vector[2 : 2 + count * WORDS].reshape(count, WORDS)
