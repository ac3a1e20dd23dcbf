"""libmpv with a software render context: frames rendered as rgb0 into a numpy buffer.

Rules learned the hard way (ARCHITECTURE.md, "A frame on screen"): the update callback only
sets an Event; update_cb is set once and never reassigned (segfault); on close the render
context is freed before the player is terminated. python-mpv does not wrap the
software-render parameters, so they are passed to mpv_render_context_render directly.

libmpv only ever gets a checked descriptor (``fd://N``, probe.py) with its demuxer forced,
and options that keep it inside that one file (SAFE_OPTIONS): a playlist, an EDL or a link
inside a video is never followed. Each descriptor is closed once mpv is done with it: at
the end of its file, or when a later file starts (one replaced before it began).
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from pathlib import Path

import mpv  # raises OSError when libmpv is missing: the caller falls back
import numpy as np

from vidsort_tui.player.base import FrameCallback
from vidsort_tui.player.probe import NO_PROTOCOLS, CheckedVideo, Unplayable, open_checked

# libmpv/render.h
_SW_SIZE, _SW_FORMAT, _SW_STRIDE, _SW_POINTER = 17, 18, 19, 20

#: Options that keep libmpv inside the one file it is given (mpv's manual, "Options"): only
#: FFmpeg's demuxers (none of mpv's own playlist, EDL, cue or disc readers), no references
#: to other files or URLs (playlists, ordered chapters, mov references), no protocols for
#: anything nested, no sibling subtitle/audio/cover files, no youtube-dl, no scripts, no
#: config files or auto profiles; short network timeouts should anything still try.
SAFE_OPTIONS: dict[str, str | bool] = {
    "demuxer": "lavf",
    "access_references": False,
    "load_unsafe_playlists": False,
    "prefetch_playlist": False,
    "ordered_chapters": False,
    "demuxer_lavf_o": f"protocol_whitelist={NO_PROTOCOLS}",
    "stream_lavf_o": f"protocol_whitelist={NO_PROTOCOLS}",
    "demuxer_lavf_allow_mimetype": False,
    "network_timeout": "1",
    "sub_auto": "no",
    "audio_file_auto": "no",
    "cover_art_auto": "no",
    "ytdl": False,
    "load_scripts": False,
    "load_stats_overlay": False,
    "load_osd_console": False,
    "config": False,
    "load_auto_profiles": "no",
    "resume_playback": False,
    "save_position_on_quit": False,
}


class MpvControls:
    """Playback controls shared by the inline and the window player (both own ``_mpv``)."""

    _mpv: mpv.MPV
    _muted: bool
    _sound: bool  # False when started with ao=null (--mute)

    def _hand_over_descriptors(self) -> None:
        """Start tracking the descriptors mpv reads (call once ``_mpv`` exists)."""
        self._handed: dict[int, CheckedVideo] = {}  # playlist entry id -> what it reads
        self._handed_lock = threading.Lock()
        self._mpv.register_event_callback(self._on_event)

    def _on_event(self, event: mpv.MpvEvent) -> None:
        """mpv's event thread: a file's descriptor is closed when that file ended, or when a
        later one starts (a file replaced before it started was never opened)."""
        kind = event.event_id.value
        if kind not in (mpv.MpvEventID.START_FILE, mpv.MpvEventID.END_FILE):
            return
        entry = getattr(event.data, "playlist_entry_id", None)
        if not isinstance(entry, int):
            return
        last = entry if kind == mpv.MpvEventID.END_FILE else entry - 1
        with self._handed_lock:
            videos = [self._handed.pop(e) for e in [e for e in self._handed if e <= last]]
        for video in videos:
            video.close()

    def _close_descriptors(self) -> None:
        """After mpv was terminated: whatever it still held."""
        with self._handed_lock:
            videos, self._handed = list(self._handed.values()), {}
        for video in videos:
            video.close()

    def play(self, path: Path | None) -> str | None:
        if path is None:
            self._mpv.command("stop")
            return None
        try:
            video = open_checked(path)
        except Unplayable as exc:
            self._mpv.command("stop")
            return str(exc)
        try:
            reply = self._mpv.command(
                "loadfile", f"fd://{video.fd}", "replace", f"demuxer-lavf-format={video.demuxer}"
            )
        except BaseException:
            video.close()
            raise
        entry = reply.get("playlist_entry_id") if isinstance(reply, dict) else None
        with self._handed_lock:  # (libmpv >= 0.33 names the entry; else kept till close())
            self._handed[entry if isinstance(entry, int) else (1 << 40) + video.fd] = video
        self._mpv.pause = False
        return None

    def toggle_pause(self) -> bool:
        self._mpv.pause = not self._mpv.pause
        return bool(self._mpv.pause)

    def seek(self, seconds: float) -> None:
        with contextlib.suppress(SystemError):  # nothing loaded yet
            self._mpv.command("seek", str(seconds), "relative+exact")

    def toggle_mute(self) -> bool:
        self._muted = not self._muted
        self._mpv.mute = self._muted
        return self._muted

    @property
    def position(self) -> float | None:
        return self._number("time_pos")

    @property
    def duration(self) -> float | None:
        return self._number("duration")

    @property
    def has_audio(self) -> bool | None:
        try:
            tracks = self._mpv.track_list
        except (SystemError, RuntimeError):
            return None
        kinds = [t.get("type") for t in tracks or [] if isinstance(t, dict)]
        return ("audio" in kinds) if kinds else None  # no tracks yet: still loading

    @property
    def sound(self) -> bool:
        return self._sound

    def _number(self, name: str) -> float | None:
        try:
            value = getattr(self._mpv, name)
        except (SystemError, RuntimeError):
            return None
        return float(value) if isinstance(value, int | float) else None

    @property
    def paused(self) -> bool:
        return bool(self._mpv.pause)


class MpvPlayer(MpvControls):
    name = "mpv"

    def __init__(self, on_frame: FrameCallback, audio: bool = True) -> None:
        self._on_frame = on_frame
        options = {**SAFE_OPTIONS, "vo": "libmpv", "hwdec": "no", "loop_file": "inf",
                   "keep_open": "yes", "input_default_bindings": False,
                   "input_vo_keyboard": False, "osc": False, "terminal": False,
                   "video_sync": "audio"}  # fmt: skip
        if not audio:
            options["ao"] = "null"
        self._mpv = mpv.MPV(**options)
        self._hand_over_descriptors()
        self._muted = not audio
        self._sound = audio
        self._context = mpv.MpvRenderContext(self._mpv, "sw")
        self._wake = threading.Event()
        self._context.update_cb = self._wake.set  # set once, never reassigned
        self._size = (64, 64)
        self._resized = False  # render again at the new size even when paused
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._render_loop, name="mpv-render", daemon=True)
        self._thread.start()

    def _render_loop(self) -> None:
        while not self._stop.is_set():
            if not self._wake.wait(0.25):
                continue
            self._wake.clear()
            if self._stop.is_set():
                break
            if not self._context.update() and not self._resized:
                continue
            self._resized = False
            w, h = self._size
            frame = np.empty((h, w, 4), np.uint8)
            self._render_into(frame)
            self._on_frame(frame[..., :3])

    def _render_into(self, frame: np.ndarray) -> None:
        h, w = frame.shape[:2]
        size = (ctypes.c_int * 2)(w, h)
        fmt = ctypes.c_char_p(b"rgb0")
        stride = ctypes.c_size_t(w * 4)
        params = (mpv.MpvRenderParam * 5)()
        values = [
            (_SW_SIZE, ctypes.cast(size, ctypes.c_void_p)),
            (_SW_FORMAT, ctypes.cast(fmt, ctypes.c_void_p)),
            (_SW_STRIDE, ctypes.cast(ctypes.pointer(stride), ctypes.c_void_p)),
            (_SW_POINTER, ctypes.c_void_p(frame.ctypes.data)),
        ]
        for i, (type_id, data) in enumerate(values):
            params[i].type_id, params[i].data = type_id, data
        params[4].type_id, params[4].data = 0, None
        mpv._mpv_render_context_render(self._context._handle, params)

    def resize(self, width: int, height: int) -> None:
        self._size = (max(2, width), max(2, height))
        self._resized = True
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=2)
        self._context.free()  # free the render context before terminating the player
        self._mpv.terminate()
        self._close_descriptors()
