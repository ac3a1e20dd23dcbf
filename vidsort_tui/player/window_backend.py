"""`--player window`: libmpv drives its own native window (needs a display); no frames
come back to the terminal, the video pane just says where the video is playing. The same
checked descriptors and SAFE_OPTIONS as the inline player (mpv_backend.py)."""

from __future__ import annotations

import mpv

from vidsort_tui.player.mpv_backend import SAFE_OPTIONS, MpvControls


class WindowPlayer(MpvControls):
    name = "window"

    def __init__(self, audio: bool = True) -> None:
        options = {**SAFE_OPTIONS, "loop_file": "inf", "keep_open": "yes",
                   "force_window": "yes", "title": "vidsort", "osc": True,
                   "terminal": False}  # fmt: skip
        if not audio:
            options["ao"] = "null"
        self._mpv = mpv.MPV(**options)
        self._hand_over_descriptors()
        self._muted = not audio
        self._sound = audio

    def resize(self, width: int, height: int) -> None:
        """The window has its own size."""

    def close(self) -> None:
        self._mpv.terminate()
        self._close_descriptors()
