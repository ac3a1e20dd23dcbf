"""The Sixel encoder, checked by ImageMagick's independent Sixel decoder."""

from __future__ import annotations

import shutil
import subprocess

import cv2
import numpy as np
import pytest

from vidsort_tui.graphics import sixel

needs_convert = pytest.mark.skipif(shutil.which("convert") is None, reason="needs ImageMagick")


def decode(data: bytes) -> np.ndarray:
    """RGB pixels of a sixel image, decoded by ImageMagick (not by us)."""
    png = subprocess.run(["convert", "six:-", "png:-"], input=data, capture_output=True, check=True)
    image = cv2.imdecode(np.frombuffer(png.stdout, np.uint8), cv2.IMREAD_COLOR)
    return image[..., ::-1]


def expected(rgb: np.ndarray, dither: bool) -> np.ndarray:
    """What the terminal should show: palette colours, black where nothing is drawn."""
    return sixel.PALETTE[sixel.quantise(rgb, dither)]


def test_palette_is_a_colour_cube_within_the_registers():
    assert sixel.COLOURS <= 256 and len(sixel.PALETTE) == sixel.COLOURS
    assert tuple(sixel.PALETTE[0]) == (0, 0, 0) and tuple(sixel.PALETTE[-1]) == (255, 255, 255)


@needs_convert
@pytest.mark.parametrize("dither", [True, False])
def test_decoded_image_is_the_quantised_frame(dither):
    h, w = 96, 1203  # a run of over a thousand pixels, and not a round width
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // w, y * 255 // h, (x + y) % 256], axis=-1).astype(np.uint8)
    rgb[:, 600:] = 200  # one wide flat run per band and colour
    rgb[30:42, 10:400:2] = 255  # fine detail: one-pixel stripes
    rgb[60:, :50] = 0  # black: not drawn, the background shows
    shown = decode(sixel.encode(rgb, dither)).astype(int)
    assert shown.shape == rgb.shape
    # Registers are given in percent, so a channel may be off by the rounding (<= 2).
    assert np.abs(shown - expected(rgb, dither)).max() <= 2


@needs_convert
def test_fine_detail_survives_exactly():
    checker = ((np.indices((60, 80)).sum(0) % 2) * 255).astype(np.uint8)
    rgb = np.repeat(checker[..., None], 3, axis=2)
    shown = decode(sixel.encode(rgb, dither=False))
    assert np.array_equal(shown, rgb)


def test_flat_and_black_frames_cost_almost_nothing():
    black = np.zeros((600, 1000, 3), np.uint8)
    assert sixel.encode(black).count(b"#") == 0 and len(sixel.encode(black)) < 200
    grey = np.full((600, 1000, 3), 128, np.uint8)
    assert len(sixel.encode(grey, dither=False)) < 100 * 12 + 100  # one short row per band


def test_height_must_be_whole_bands():
    with pytest.raises(ValueError, match="whole bands"):
        sixel.encode(np.zeros((100, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="whole bands"):
        sixel.encode(np.zeros((0, 10, 3), np.uint8))


def test_output_is_one_dcs_string_placed_by_the_caller():
    data = sixel.encode(np.full((12, 8, 3), 255, np.uint8))
    assert data.startswith(b'\x1bP0;0;0q"1;1;8;12') and data.endswith(b"\x1b\\")
    assert data.count(b"\x1b") == 2  # no cursor movement or other escapes inside
