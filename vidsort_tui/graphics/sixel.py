"""Sixel encoding of RGB frames with numpy: a fixed palette, ordered dither, run lengths.

Video changes every frame, so a per-frame adaptive palette (median cut, octree) would cost
more than the encoding itself; a fixed 6x7x6 colour cube (252 registers, the DEC limit is
256) with a 4x4 ordered dither keeps gradients smooth and costs two table look-ups a pixel.
The sixel rows are built for the whole frame at once: every (band, colour) pair present
becomes one row of sixel characters, run-length encoded, written into one output buffer
by vectorised scatter. Pixels of palette entry 0 (black) are never drawn: the image is
sent with a black background (P2=0), which also makes letterbox bars nearly free.
"""

from __future__ import annotations

import functools

import numpy as np

LEVELS = (6, 7, 6)  # red, green, blue steps of the colour cube: 252 registers
COLOURS = LEVELS[0] * LEVELS[1] * LEVELS[2]
BAND = 6  # pixel rows per sixel band
_BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32)


def _palette() -> np.ndarray:
    """COLOURS x 3 uint8: the RGB value of every register."""
    r, g, b = (np.round(np.arange(n) * 255 / (n - 1)) for n in LEVELS)
    cube = np.stack(np.meshgrid(r, g, b, indexing="ij"), axis=-1).reshape(-1, 3)
    return cube.astype(np.uint8)


PALETTE = _palette()
_PALETTE_COMMANDS = [
    b"#%d;2;%d;%d;%d" % (i, *(round(int(v) * 100 / 255) for v in rgb))
    for i, rgb in enumerate(PALETTE)
]


def _level_tables() -> list[np.ndarray]:
    """Per channel: (16 dither thresholds x 256 values) -> that channel's step index."""
    tables = []
    for n in LEVELS:
        step = 255 / (n - 1)
        values = np.arange(256, dtype=np.float32)[None, :]
        threshold = ((_BAYER4.ravel()[:, None] + 0.5) / 16 - 0.5) * step
        level = np.floor((values + threshold) / step + 0.5)
        tables.append(np.clip(level, 0, n - 1).astype(np.uint8))
    return tables


_STRIDES = (LEVELS[1] * LEVELS[2], LEVELS[2], 1)
#: Per channel, flattened (dither cell * 256 + value) -> that channel's share of the index.
_FLAT_TABLES = [
    (table * np.uint8(stride)).ravel()
    for table, stride in zip(_level_tables(), _STRIDES, strict=True)
]


@functools.lru_cache(maxsize=8)
def _dither_cells(h: int, w: int) -> np.ndarray:
    """H x W uint16: each pixel's 4x4 dither cell times 256, the row of its look-up table."""
    cell = (np.arange(h) % 4)[:, None] * 4 + (np.arange(w) % 4)[None, :]
    return (cell * 256).astype(np.uint16)


def quantise(rgb: np.ndarray, dither: bool = True) -> np.ndarray:
    """H x W palette indices (uint8) of an H x W x 3 uint8 frame."""
    h, w = rgb.shape[:2]
    cells = _dither_cells(h, w) if dither else np.uint16(5 * 256)  # 5: plain rounding
    index = np.take(_FLAT_TABLES[0], cells + rgb[..., 0])
    index += np.take(_FLAT_TABLES[1], cells + rgb[..., 1])
    index += np.take(_FLAT_TABLES[2], cells + rgb[..., 2])
    return index


def encode(rgb: np.ndarray, dither: bool = True) -> bytes:
    """A complete sixel image (DCS ... ST) of an H x W x 3 uint8 frame, H a multiple of 6."""
    h, w = rgb.shape[:2]
    if h % BAND or h == 0 or w == 0:
        raise ValueError(f"sixel frames are whole bands: {w}x{h} has a partial or no band")
    return encode_indices(quantise(rgb, dither))


def encode_indices(index: np.ndarray) -> bytes:
    """A complete sixel image of H x W palette indices (H a multiple of 6)."""
    h, w = index.shape
    bands = h // BAND
    key = np.arange(bands, dtype=np.int32)[:, None, None] * COLOURS + index.reshape(bands, BAND, w)
    present = np.bincount(key.ravel(), minlength=bands * COLOURS) > 0
    present.reshape(bands, COLOURS)[:, 0] = False  # black is the background: not drawn
    used_keys = np.flatnonzero(present).astype(np.int32)
    n_rows = len(used_keys)
    row_of_key = np.full(bands * COLOURS, n_rows, np.int32)  # black: a scratch row
    row_of_key[used_keys] = np.arange(n_rows, dtype=np.int32)
    sixels = np.zeros((n_rows + 1) * w, np.uint8)
    columns = np.arange(w, dtype=np.int32)
    for r in range(BAND):  # each pixel row of a band sets one bit of its colour's sixel
        sixels[row_of_key[key[:, r, :]] * np.int32(w) + columns] += np.uint8(1 << r)
    colour = used_keys % COLOURS
    body = _rows_to_bytes(sixels[: n_rows * w].reshape(n_rows, w), used_keys // COLOURS, colour,
                          bands)  # fmt: skip
    used_colours = np.flatnonzero(np.bincount(colour, minlength=COLOURS))
    header = b'\x1bP0;0;0q"1;1;%d;%d' % (w, h) + b"".join(
        _PALETTE_COMMANDS[c] for c in used_colours.tolist()
    )
    return header + body + b"\x1b\\"


def _digits(values: np.ndarray) -> np.ndarray:
    """Number of decimal digits of each positive value (< 10**5)."""
    return 1 + (values >= 10) + (values >= 100) + (values >= 1000) + (values >= 10000)


def _rows_to_bytes(sixels: np.ndarray, band: np.ndarray, colour: np.ndarray, bands: int) -> bytes:
    """Run-length encode every sixel row and lay them out band after band.

    A row is '#<colour>' + runs + '$'; every band ends with '-'. Runs of 4 or more become
    '!<count><char>', shorter runs are literal, and a row's trailing blank run is dropped
    (its length counts as 0). Offsets are int32: a frame is far below 2**31 bytes.
    """
    n_rows, w = len(band), sixels.shape[1]
    flat = sixels[:n_rows].ravel()
    change = np.empty(flat.size, bool)
    if flat.size:
        change[0] = True
        np.not_equal(flat[1:], flat[:-1], out=change[1:])
        change[::w] = True
    starts = np.flatnonzero(change).astype(np.int32)
    lengths = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=lengths[:-1])
    lengths[-1:] = flat.size - starts[-1:]
    values = flat[starts]
    run_row = starts // np.int32(w)
    trailing_blank = (values == 0) & ((starts + lengths) % np.int32(w) == 0)
    lengths[trailing_blank] = 0
    long = lengths >= 4
    run_len = np.where(long, 2 + _digits(lengths), lengths).astype(np.int32)

    colour_digits = _digits(colour).astype(np.int32)
    run_bytes = np.bincount(run_row, weights=run_len, minlength=n_rows).astype(np.int32)
    row_len = 2 + colour_digits + run_bytes
    band_len = np.bincount(band, weights=row_len, minlength=bands).astype(np.int32) + 1
    band_start = np.cumsum(band_len, dtype=np.int32) - band_len
    row_before = np.cumsum(row_len, dtype=np.int32) - row_len  # bytes of earlier rows
    first_row_of_band = np.searchsorted(band, band)
    row_start = band_start[band] + row_before - row_before[first_row_of_band]
    out = np.empty(int(band_len.sum()), np.uint8)
    out[band_start + band_len - 1] = ord("-")
    out[row_start] = ord("#")
    _put_number(out, row_start + 1, colour, colour_digits)
    out[row_start + row_len - 1] = ord("$")

    # A run's offset: bytes of all earlier runs, moved to its row's place after the header.
    run_before = np.cumsum(run_len, dtype=np.int32) - run_len
    first_run_of_row = np.searchsorted(run_row, np.arange(n_rows, dtype=np.int32))
    row_shift = row_start + 1 + colour_digits - run_before[first_run_of_row]
    at = run_before + row_shift[run_row]
    chars = values + np.uint8(63)
    short = ~long
    for j in range(3):
        pick = short & (lengths > j)
        out[at[pick] + j] = chars[pick]
    long_at, long_len = at[long], lengths[long]
    long_digits = _digits(long_len)
    out[long_at] = ord("!")
    _put_number(out, long_at + 1, long_len, long_digits)
    out[long_at + 1 + long_digits] = chars[long]
    return out.tobytes()


def _put_number(out: np.ndarray, at: np.ndarray, values: np.ndarray, digits: np.ndarray) -> None:
    """Write each value in decimal at its offset (``digits`` wide)."""
    for d in range(int(digits.max()) if len(digits) else 0):
        pick = digits > d
        power = 10 ** (digits[pick] - 1 - d)
        out[at[pick] + d] = (values[pick] // power % 10 + 48).astype(np.uint8)
