"""Kitty graphics commands: the pixels a terminal would read back, ids, chunking, cleanup."""

from __future__ import annotations

import base64
import os
import re
import zlib

import numpy as np
import pytest

from vidsort_tui.graphics.detect import SHM_DIR
from vidsort_tui.graphics.kitty import CHUNK, UNREAD_LIMIT, KittyImage

COMMAND = re.compile(rb"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")


def commands(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    """Every APC G command as (keys, payload); nothing else may be in the data."""
    found = COMMAND.findall(data)
    assert b"".join(m.group(0) for m in COMMAND.finditer(data)) == data
    return [
        (dict(kv.split("=") for kv in keys.decode().split(",")), payload) for keys, payload in found
    ]


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    rgb[:, :40] = 0  # compressible half
    return rgb


def test_zlib_frame_reassembles_to_the_pixels(frame):
    image = KittyImage(0x123456, "zlib")
    parts = commands(image.frame(frame, cols=8, rows=3).data)
    first, rest = parts[0][0], parts[1:]
    assert first["a"] == "T" and first["i"] == str(0x123456) and first["p"] == "1"
    assert (first["s"], first["v"], first["f"], first["o"]) == ("80", "60", "24", "z")
    assert (first["c"], first["r"], first["C"], first["q"]) == ("8", "3", "1", "2")
    assert [keys["m"] for keys, _ in parts] == ["1"] * (len(parts) - 1) + ["0"]
    assert all(set(keys) == {"m", "q"} for keys, _ in rest)  # only m (and q) after the first
    assert all(len(payload) <= CHUNK for _, payload in parts)
    pixels = zlib.decompress(base64.b64decode(b"".join(p for _, p in parts)))
    assert pixels == frame.tobytes()


def test_every_frame_reuses_the_same_image_and_placement(frame):
    image = KittyImage(77, "zlib")
    firsts = [commands(image.frame(frame, 8, 3).data)[0][0] for _ in range(3)]
    assert {(k["i"], k["p"]) for k in firsts} == {("77", "1")}


@pytest.mark.skipif(not SHM_DIR.is_dir(), reason="no /dev/shm")
def test_shared_memory_frame_is_a_file_the_terminal_reads_and_unlinks(frame):
    image = KittyImage(78, "shm")
    payload = image.frame(frame[:, ::2], cols=8, rows=3)  # a non-contiguous view is fine
    [(keys, name)] = commands(payload.data)
    path = SHM_DIR / base64.b64decode(name).decode()
    assert keys["t"] == "s" and keys["S"] == str(frame[:, ::2].nbytes)
    assert path.read_bytes() == np.ascontiguousarray(frame[:, ::2]).tobytes()
    assert path.stat().st_mode & 0o777 == 0o600
    payload.discard()  # never written: we unlink it ourselves
    assert not path.exists()
    unread = [SHM_DIR / base64.b64decode(commands(image.frame(frame, 8, 3).data)[0][1]).decode()
              for _ in range(2)]  # fmt: skip
    assert all(p.exists() for p in unread)
    image.close()  # what the terminal never read is not left behind
    assert not any(p.exists() for p in unread)


@pytest.mark.skipif(not SHM_DIR.is_dir(), reason="no /dev/shm")
def test_frames_nobody_reads_are_bounded_and_zlib_takes_over(frame):
    image = KittyImage(80, "shm")
    prefix = f"vidsort-{os.getpid()}-80-"
    try:
        for _ in range(20):
            image.frame(frame, 8, 3)
            assert len([p for p in SHM_DIR.iterdir() if p.name.startswith(prefix)]) <= UNREAD_LIMIT
        assert image.transport == "zlib"
        assert "o" in commands(image.frame(frame, 8, 3).data)[0][0]
    finally:
        image.close()
    assert not [p for p in SHM_DIR.iterdir() if p.name.startswith(prefix)]


def test_hide_and_delete():
    image = KittyImage(79)
    [(hide, _)] = commands(image.hide())
    [(delete, _)] = commands(image.delete())
    assert hide == {"a": "d", "d": "i", "i": "79", "q": "2"}  # placement only
    assert delete == {"a": "d", "d": "I", "i": "79", "q": "2"}  # and the image data


def test_unknown_transport_is_refused():
    with pytest.raises(ValueError, match="transport"):
        KittyImage(1, "file")
