"""Kitty graphics protocol commands for one video pane: one image id, replaced in place.

Every frame is transmitted and placed with the same image id and placement id, so the
terminal swaps the picture where it is and frees the previous one (its image memory does
not grow), with the cell size given (c, r) so the picture fills exactly the pane's cells.
Frames travel either through POSIX shared memory (t=s, the terminal reads and unlinks the
object: nearly nothing crosses the pty; needs a local terminal) or zlib-compressed inline
(o=z), base64 in 4096-byte chunks. Responses are suppressed (q=2): Textual owns stdin.
A terminal that said yes to shared memory but leaves the frames unread (each is a whole
frame in RAM) gets them unlinked and zlib from then on.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidsort_tui.graphics.detect import SHM_DIR

CHUNK = 4096
TRANSPORTS = ("shm", "zlib")
UNREAD_LIMIT = 6  # shared-memory frames left unread: the terminal is not reading them


@dataclass
class Payload:
    """Bytes to write for one frame, and what to undo if they are never written."""

    data: bytes
    discard: Callable[[], None] | None = None


def _command(keys: str, payload: bytes = b"") -> bytes:
    return b"\x1b_G" + keys.encode() + (b";" + payload if payload else b"") + b"\x1b\\"


class KittyImage:
    """The pane's image: ``frame`` replaces it, ``hide`` removes it from the screen,
    ``delete`` also frees it in the terminal."""

    def __init__(self, image_id: int, transport: str = "zlib", zlib_level: int = 1) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.image_id = image_id
        self.transport = transport
        self.zlib_level = zlib_level
        self._serial = itertools.count()
        self._shm_names: set[str] = set()

    def frame(self, rgb: np.ndarray, cols: int, rows: int) -> Payload:
        """Transmit-and-place command for an H x W x 3 uint8 frame filling cols x rows cells."""
        h, w = rgb.shape[:2]
        keys = f"a=T,f=24,s={w},v={h},i={self.image_id},p=1,c={cols},r={rows},C=1,q=2"
        pixels = np.ascontiguousarray(rgb, dtype=np.uint8)
        if self.transport == "shm":
            name = self._write_shm(pixels)
            command = _command(f"{keys},t=s,S={pixels.nbytes}", base64.b64encode(name.encode()))
            return Payload(command, lambda: self._unlink(name))
        data = base64.b64encode(zlib.compress(pixels.data, self.zlib_level))
        chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
        out = [_command(f"{keys},o=z,m={int(len(chunks) > 1)}", chunks[0])]
        out += [_command(f"m={int(i < len(chunks) - 1)},q=2", c) for i, c in enumerate(chunks)][1:]
        return Payload(b"".join(out))

    def hide(self) -> bytes:
        """Delete the placement (the picture leaves the screen), keep nothing else in use."""
        return _command(f"a=d,d=i,i={self.image_id},q=2")

    def delete(self) -> bytes:
        """Delete the placement and free the image data in the terminal."""
        return _command(f"a=d,d=I,i={self.image_id},q=2")

    def close(self) -> None:
        """Unlink shared-memory frames the terminal never read."""
        for name in list(self._shm_names):
            self._unlink(name)

    def _write_shm(self, pixels: np.ndarray) -> str:
        self._forget_read_frames()
        if len(self._shm_names) >= UNREAD_LIMIT:
            self.close()
            self.transport = "zlib"  # from the next frame on
        name = f"vidsort-{os.getpid()}-{self.image_id}-{next(self._serial)}"
        fd = os.open(SHM_DIR / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
        try:
            view = pixels.reshape(-1).data
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self._shm_names.add(name)
        return name

    def _forget_read_frames(self) -> None:
        """The terminal unlinks what it has read; stop tracking those."""
        if len(self._shm_names) >= UNREAD_LIMIT // 2:
            self._shm_names = {n for n in self._shm_names if (SHM_DIR / n).exists()}

    def _unlink(self, name: str) -> None:
        self._shm_names.discard(name)
        with contextlib.suppress(OSError):
            Path(SHM_DIR / name).unlink()
