"""The video descriptor: classical computer vision, pooled over the sampled frames.

Two classical parts, both cached per video (the content embedding, a third part, is
computed beside them by ``pipeline.features.embedder`` and cached under its own version):
- ``global_``: colour (HSV histograms, Lab spatial layout), texture and shape (gradient-
  orientation grid, uniform LBP, GIST-like Gabor energies), motion between sampled frames,
  and basic stats; per-frame parts are pooled with mean and std.
- ``local``: dense local colour statistics (Lab mean/std of small patches plus the patch
  position), encoded later as Fisher vectors over a GMM fitted on the training videos.
Frames arrive with their short side at 260 (for the embedder's square crops); the descriptor
scales them down to DESCRIBE_LONG_SIDE on the long side first, so its cost does not grow.
Bump FEATURE_VERSION whenever the output changes: it invalidates the cached classical parts
(and nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.features.sampling import Sample

#: 2: frames are sampled at short side 224 and scaled to DESCRIBE_LONG_SIDE here; 3: sampled
#: at 260 (Lite2's input), so each frame is scaled down from a slightly larger picture
FEATURE_VERSION = 3
DESCRIBE_LONG_SIDE = 224
PATCH_GRID = (6, 10)  # local colour patches across, down
LAYOUT_GRID = (4, 6)
HOG_GRID = 3
HOG_BINS = 8
GABOR_GRID = 4
#: the global descriptor's length: per frame, colour histograms (34), the Lab layout, the
#: gradient grid, uniform LBP (59) and 8 Gabor energy grids, as mean and std over frames;
#: then motion (10) and stats (4). A cached one of another length is damaged.
GLOBAL_WIDTH = 2 * (34 + 3 * LAYOUT_GRID[0] * LAYOUT_GRID[1] + HOG_GRID**2 * HOG_BINS + 59
                    + 8 * GABOR_GRID**2) + 14  # fmt: skip
#: local descriptors: PATCH_GRID patches a frame, 8 numbers each
PATCHES_PER_FRAME, LOCAL_WIDTH = PATCH_GRID[0] * PATCH_GRID[1], 8


@dataclass
class VideoFeatures:
    global_: np.ndarray  # float32 vector
    local: np.ndarray  # float16, n x 8: Lab mean(3), Lab std(3), x, y
    embedding: np.ndarray | None = (
        None  # float32 content vector (pipeline.features.embedder), or None
    )
    signature: np.ndarray | None = None  # uint64 perceptual signature (pipeline.features.signature)


def _uniform_lbp_table() -> np.ndarray:
    table = np.full(256, 58, np.uint8)
    index = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            table[code] = index
            index += 1
    return table


_LBP_TABLE = _uniform_lbp_table()
_GABOR = [
    cv2.getGaborKernel((15, 15), sigma, theta, lambd, 0.5, 0, ktype=cv2.CV_32F)
    for sigma, lambd in ((2.0, 5.0), (4.0, 10.0))
    for theta in np.arange(4) * np.pi / 4
]


def _hsv_hist(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0].ravel(), hsv[..., 1].ravel(), hsv[..., 2].ravel()
    weight = s.astype(np.float32) / 255
    hue = np.bincount((h.astype(np.int32) * 18) // 180, weights=weight, minlength=18)
    sat = np.bincount(s.astype(np.int32) // 32, minlength=8)
    val = np.bincount(v.astype(np.int32) // 32, minlength=8)
    n = float(h.size)
    return np.concatenate([hue / n, sat / n, val / n])


def _gradient_grid(grey: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    magnitude, angle = cv2.cartToPolar(gx, gy)
    bins = ((angle % np.pi) / np.pi * HOG_BINS).astype(np.int32).clip(0, HOG_BINS - 1)
    h, w = grey.shape
    ys = np.minimum(np.arange(h) * HOG_GRID // h, HOG_GRID - 1)
    xs = np.minimum(np.arange(w) * HOG_GRID // w, HOG_GRID - 1)
    cell = (ys[:, None] * HOG_GRID + xs[None, :]) * HOG_BINS + bins
    cells = HOG_GRID * HOG_GRID
    weights = np.bincount(cell.ravel(), weights=magnitude.ravel(), minlength=cells * HOG_BINS)
    grid = weights.reshape(cells, HOG_BINS)
    histograms: np.ndarray = (grid / (grid.sum(1, keepdims=True) + 1e-6)).ravel()
    return histograms


def _lbp_hist(grey: np.ndarray) -> np.ndarray:
    g = grey.astype(np.int16)
    c = g[1:-1, 1:-1]
    code = np.zeros(c.shape, np.uint8)
    shifts = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    for bit, (dy, dx) in enumerate(shifts):
        neighbour = g[1 + dy : g.shape[0] - 1 + dy, 1 + dx : g.shape[1] - 1 + dx]
        code |= (neighbour >= c).astype(np.uint8) << bit
    hist = np.bincount(_LBP_TABLE[code].ravel(), minlength=59).astype(np.float32)
    frequencies: np.ndarray = hist / hist.sum()
    return frequencies


def _gist(grey: np.ndarray) -> np.ndarray:
    small = cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    small -= small.mean()
    energies = []
    for kernel in _GABOR:
        response = np.abs(cv2.filter2D(small, cv2.CV_32F, kernel))
        energies.append(
            cv2.resize(response, (GABOR_GRID, GABOR_GRID), interpolation=cv2.INTER_AREA)
        )
    return np.concatenate([e.ravel() for e in energies])


def _local_colour(lab: np.ndarray) -> np.ndarray:
    """Lab mean and std of each patch on PATCH_GRID, with the patch's (x, y) in [0, 1]."""
    cols, rows = PATCH_GRID
    mean = cv2.resize(lab, (cols, rows), interpolation=cv2.INTER_AREA)
    mean_sq = cv2.resize(lab * lab, (cols, rows), interpolation=cv2.INTER_AREA)
    std = np.sqrt(np.maximum(mean_sq - mean * mean, 0))
    ys, xs = np.mgrid[0:rows, 0:cols].astype(np.float32)
    pos = np.stack([xs / max(cols - 1, 1), ys / max(rows - 1, 1)], -1)
    return np.concatenate([mean / 100, std / 50, pos], -1).reshape(-1, 8)


def frame_descriptor(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(global per-frame vector, local patch descriptors, small grey for motion)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    layout = cv2.resize(lab, LAYOUT_GRID, interpolation=cv2.INTER_AREA).ravel() / 100
    parts = [_hsv_hist(hsv), layout, _gradient_grid(grey), _lbp_hist(grey), _gist(grey)]
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    return np.concatenate(parts).astype(np.float32), _local_colour(lab), small


def _motion(smalls: list[np.ndarray]) -> np.ndarray:
    if len(smalls) < 2:
        return np.zeros(10, np.float32)
    diffs = np.stack([np.abs(a - b) for a, b in zip(smalls, smalls[1:], strict=False)])
    grid = cv2.resize(diffs.mean(0), (3, 3), interpolation=cv2.INTER_AREA).ravel()
    return np.concatenate([[diffs.mean()], grid]).astype(np.float32)


def _describable(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    if max(h, w) <= DESCRIBE_LONG_SIDE:
        return rgb
    scale = DESCRIBE_LONG_SIDE / max(h, w)
    size = (max(16, round(w * scale) // 2 * 2), max(16, round(h * scale) // 2 * 2))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def describe(sample: Sample) -> VideoFeatures:
    """The classical parts (``embedding`` is left None: the embedder adds it)."""
    per_frame = [frame_descriptor(_describable(frame)) for frame in sample.frames]
    globals_ = np.stack([g for g, _, _ in per_frame])
    stats = [
        sample.width / max(sample.height, 1),
        np.log1p(sample.duration),
        np.log(max(sample.width * sample.height, 1)),
        len(sample.frames) / 8,
    ]
    vector = np.concatenate(
        [globals_.mean(0), globals_.std(0), _motion([s for _, _, s in per_frame]), stats]
    ).astype(np.float32)
    local = np.concatenate([loc for _, loc, _ in per_frame]).astype(np.float16)
    return VideoFeatures(vector, local)
