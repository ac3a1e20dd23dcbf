"""What the first bytes of a file say it is: text (a playlist, an EDL, a list of links) or not.

A file named like a video may be text that a media player follows: libmpv fetched every URL
of an M3U saved as ``.mp4``, and Chromium's ``<video>`` fetched the segments of an HLS
playlist served as ``video/mp4`` (with ``nosniff``). The player refuses such files
(player/probe.py) and the server never serves one as a video (api_compat/routes/media.py).
"""

from __future__ import annotations

import os

#: how much of the file's start is looked at
HEAD_BYTES = 4096


def looks_like_text(head: bytes) -> bool:
    """Text (UTF-8, or UTF-16 with its mark) rather than a binary container: playlists,
    EDLs, cue sheets and lists of links are text; every video container has NUL bytes or
    bytes that are not UTF-8 in its first kilobytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a character cut by the end of the sample is still text
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def is_text_file(fd: int) -> bool:
    """Whether the open file ``fd`` starts as text (an empty file does not)."""
    head = os.pread(fd, HEAD_BYTES, 0)
    return bool(head) and looks_like_text(head)
