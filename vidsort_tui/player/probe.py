"""What a player may open: one local video file, checked before any backend sees it.

A file named like a video may hold anything. libmpv follows what it finds: an M3U, PLS or
HLS playlist saved as ``.mp4`` made it fetch every URL listed, and an mpv EDL made it open a
file outside DATA_DIR. The pipeline (PyAV) refused those files; now the player asks the
same question first. The file is opened here (never through a symbolic link, only a regular
file, a FIFO never waited on), text is refused outright, and PyAV reads the container from
that descriptor with every nested open refused (``protocol_whitelist``): only single-file
video containers with a picture pass. The backend then plays the descriptor, with the
demuxer the probe found forced, and never resolves the path again.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import av

from vidsort_tui.core.media import HEAD_BYTES, looks_like_text

#: FFmpeg's name for a container we play -> the demuxer the player is told to use. Each is
#: one file holding its own streams: no playlists (hls), lists (concat), images, devices.
CONTAINERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": "mov",
    "matroska,webm": "matroska",
    "avi": "avi",
    "mpegts": "mpegts",
    "mpeg": "mpeg",
    "flv": "flv",
    "ogg": "ogg",
    "asf": "asf",
}
#: FFmpeg gives up on reading the container after this long (a stalled mount)
PROBE_SECONDS = 10.0
#: a protocol list naming no protocol: the container may open nothing besides itself
NO_PROTOCOLS = "none"
_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


class Unplayable(Exception):
    """The file is not one local video; the message says why, for the user."""


@dataclass
class CheckedVideo:
    """A video that passed the checks: play from ``fd`` (positioned at 0); close() it."""

    fd: int
    demuxer: str  # the FFmpeg demuxer that read it ("mov", "matroska", ...)

    @property
    def proc_path(self) -> str:
        """The descriptor as a path, for a library that only opens paths (OpenCV): the
        kernel resolves it to this very file, whatever is renamed or swapped meanwhile."""
        return f"/proc/self/fd/{self.fd}"

    def close(self) -> None:
        os.close(self.fd)


def open_checked(path: Path) -> CheckedVideo:
    """The video at ``path`` opened and checked, or Unplayable with the reason."""
    fd = _open_regular(path)
    try:
        head = os.pread(fd, HEAD_BYTES, 0)
        if not head:
            raise Unplayable("the file is empty")
        if looks_like_text(head):
            raise Unplayable("it is a text file (a playlist or a list of links?), not a video")
        demuxer = _container(fd)
        os.lseek(fd, 0, os.SEEK_SET)
        return CheckedVideo(fd, demuxer)
    except BaseException:
        os.close(fd)
        raise


def _open_regular(path: Path) -> int:
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise Unplayable("the file is gone (moved or deleted)") from None
    except PermissionError:
        raise Unplayable("the file cannot be read (permission denied)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unplayable("it is a symbolic link (never followed)") from None
        raise Unplayable(f"the file cannot be opened ({exc.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Unplayable("it is not a regular file")
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return fd


def _container(fd: int) -> str:
    """The demuxer for the container in ``fd``, read by PyAV from a copy of the descriptor."""
    try:
        with os.fdopen(os.dup(fd), "rb") as source:
            options = {"protocol_whitelist": NO_PROTOCOLS}
            with av.open(source, mode="r", options=options, timeout=PROBE_SECONDS) as container:
                name = container.format.name
                videos = container.streams.video
                codec = videos[0].codec_context if videos else None
                size = (codec.width, codec.height) if codec else (0, 0)
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise Unplayable(f"it is not a video FFmpeg can read ({_short(exc)})") from None
    if name not in CONTAINERS:
        raise Unplayable(f"its container ({name}) is not a single video file")
    if not videos:
        raise Unplayable("it has no video stream")
    if not all(size):
        raise Unplayable("its video stream has no picture size")
    return CONTAINERS[name]


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).splitlines()[0][:80]
