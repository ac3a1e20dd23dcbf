"""Video players for the TUI's video pane: libmpv (full), OpenCV (fallback), or none."""

from __future__ import annotations

import os

from vidsort_tui.player.base import FrameCallback, Player


def create_player(
    mode: str, on_frame: FrameCallback, audio: bool
) -> tuple[Player | None, str | None]:
    """(player, hint for the footer). ``mode``: auto | inline | window | none.

    VIDSORT_PLAYER_BACKEND=opencv forces the fallback (tests, or a broken libmpv).
    """
    if mode == "none":
        return None, None
    if os.environ.get("VIDSORT_PLAYER_BACKEND") != "opencv":
        try:
            from vidsort_tui.player.mpv_backend import MpvPlayer

            return MpvPlayer(on_frame, audio=audio), None
        except (OSError, ImportError, AttributeError):
            pass
    from vidsort_tui.player.opencv_backend import HINT, OpenCvPlayer

    return OpenCvPlayer(on_frame), HINT
