"""Video players for the TUI's video pane: libmpv (full), OpenCV (fallback), or none."""

from __future__ import annotations

import os

from vidsort_tui.player.base import FrameCallback, Player


def create_player(
    mode: str, on_frame: FrameCallback, audio: bool
) -> tuple[Player | None, str | None]:
    """(player, hint for the user). ``mode``: auto | inline | window | none.

    auto plays inline: the terminal is the point. window needs a display (X11 or Wayland)
    and falls back to inline, saying so. VIDSORT_PLAYER_BACKEND=opencv forces the OpenCV
    fallback (tests, or a broken libmpv).
    """
    if mode == "none":
        return None, None
    hint = None
    if mode == "window":
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            try:
                from vidsort_tui.player.window_backend import WindowPlayer

                return WindowPlayer(audio=audio), None
            except (OSError, ImportError, AttributeError, SystemError):
                hint = "cannot open an mpv window: playing inline instead"
        else:
            hint = "no display for --player window: playing inline instead"
    if os.environ.get("VIDSORT_PLAYER_BACKEND") != "opencv":
        try:
            from vidsort_tui.player.mpv_backend import MpvPlayer

            return MpvPlayer(on_frame, audio=audio), hint
        except (OSError, ImportError, AttributeError):
            pass
    from vidsort_tui.player.opencv_backend import HINT, OpenCvPlayer

    return OpenCvPlayer(on_frame), HINT
