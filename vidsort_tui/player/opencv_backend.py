"""Fallback when libmpv is missing: OpenCV decodes, paced at the video's frame rate, looping.

No audio; seeking and pausing work. The footer tells the user how to get the full player.
Like libmpv, OpenCV (its own FFmpeg) gets only a video probe.py accepted, opened through the
checked descriptor (/proc/self/fd/N), never by its name.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np

from vidsort_tui.player.base import FrameCallback, fit_size
from vidsort_tui.player.probe import CheckedVideo, Unplayable, open_checked

HINT = "OpenCV playback (no sound): apt-get install libmpv2 for the full player"


class OpenCvPlayer:
    name = "opencv"

    def __init__(self, on_frame: FrameCallback) -> None:
        self._on_frame = on_frame
        self._size = (64, 64)
        self._lock = threading.Lock()
        self._video: CheckedVideo | None = None
        self._retired: list[CheckedVideo] = []  # replaced; closed by the loop once released
        self._generation = 0
        self._paused = False
        self._seek_by = 0.0
        self._position: float | None = None
        self._duration: float | None = None
        self._muted = True
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="opencv-player", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        capture: cv2.VideoCapture | None = None
        generation = -1
        fps = 25.0
        while not self._stop.is_set():
            with self._lock:
                video, wanted, paused = self._video, self._generation, self._paused
                seek, self._seek_by = self._seek_by, 0.0
                retired, self._retired = self._retired, []  # replaced: never ``video``
            if wanted != generation:
                if capture is not None:
                    capture.release()
                capture, generation = None, wanted
            for old in retired:  # after the release: no capture reads them any more
                old.close()
            if capture is None and video is not None:
                capture = cv2.VideoCapture(video.proc_path)
                fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
                frames = capture.get(cv2.CAP_PROP_FRAME_COUNT)
                self._duration = frames / fps if frames > 0 else None
            if capture is None or not capture.isOpened():
                self._wake.wait(0.1)
                self._wake.clear()
                continue
            if seek:
                now = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
                capture.set(cv2.CAP_PROP_POS_MSEC, max(0.0, now + seek) * 1000)
            if paused and not seek:
                self._wake.wait(0.1)
                self._wake.clear()
                continue
            started = time.monotonic()
            ok, frame = capture.read()
            if not ok:  # end of file: loop
                capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = capture.read()
                if not ok:
                    self._wake.wait(0.2)
                    continue
            self._position = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
            self._on_frame(_letterbox(frame, self._size))
            self._stop.wait(max(0.0, 1 / fps - (time.monotonic() - started)))
        if capture is not None:
            capture.release()

    def play(self, path: Path | None) -> str | None:
        reason = None
        video = None
        if path is not None:
            try:
                video = open_checked(path)
            except Unplayable as exc:
                reason = str(exc)
        with self._lock:
            if self._video is not None:
                self._retired.append(self._video)
            self._video, self._paused, self._position, self._duration = video, False, None, None
            self._generation += 1
        self._wake.set()
        return reason

    def resize(self, width: int, height: int) -> None:
        self._size = (max(2, width), max(2, height))

    def toggle_pause(self) -> bool:
        with self._lock:
            self._paused = not self._paused
            return self._paused

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._seek_by += seconds
        self._wake.set()

    def toggle_mute(self) -> bool:
        return self._muted  # no audio in this backend

    @property
    def position(self) -> float | None:
        return self._position

    @property
    def duration(self) -> float | None:
        return self._duration

    @property
    def has_audio(self) -> bool | None:
        return None  # OpenCV does not read audio streams, so it cannot tell

    @property
    def sound(self) -> bool:
        return False

    @property
    def paused(self) -> bool:
        return self._paused

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=2)
        if not self._thread.is_alive():  # else it may still read them: left to the exit
            with self._lock:
                videos = [*self._retired, *([self._video] if self._video else [])]
                self._retired, self._video = [], None
            for video in videos:
                video.close()


def _letterbox(bgr: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    """RGB frame of exactly ``box`` (w, h): the video scaled to fit, black bars around it."""
    w, h = fit_size(bgr.shape[1], bgr.shape[0], *box)
    canvas = np.zeros((box[1], box[0], 3), np.uint8)
    y, x = (box[1] - h) // 2, (box[0] - w) // 2
    canvas[y : y + h, x : x + w] = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_AREA)[..., ::-1]
    return canvas
