"""`--player window`: libmpv drives its own native window (needs a display); no frames
come back to the terminal, the video pane just says where the video is playing."""

from __future__ import annotations

import contextlib
from pathlib import Path

import mpv


class WindowPlayer:
    name = "window"

    def __init__(self, audio: bool = True) -> None:
        options = {"loop_file": "inf", "keep_open": "yes", "force_window": "yes",
                   "title": "vidsort", "osc": True, "terminal": False}  # fmt: skip
        if not audio:
            options["ao"] = "null"
        self._mpv = mpv.MPV(**options)
        self._muted = not audio

    def play(self, path: Path | None) -> None:
        if path is None:
            self._mpv.command("stop")
        else:
            self._mpv.command("loadfile", str(path), "replace")
            self._mpv.pause = False

    def resize(self, width: int, height: int) -> None:
        """The window has its own size."""

    def toggle_pause(self) -> bool:
        self._mpv.pause = not self._mpv.pause
        return bool(self._mpv.pause)

    def seek(self, seconds: float) -> None:
        with contextlib.suppress(SystemError):
            self._mpv.command("seek", str(seconds), "relative+exact")

    def toggle_mute(self) -> bool:
        self._muted = not self._muted
        self._mpv.mute = self._muted
        return self._muted

    @property
    def position(self) -> float | None:
        value = self._mpv.time_pos
        return float(value) if value is not None else None

    def close(self) -> None:
        self._mpv.terminate()
