"""The encoder thread: newest frame only, a frame-rate cap, nothing new while one waits."""

from __future__ import annotations

import threading
import time

import numpy as np

from tests.conftest import wait_until
from vidsort_tui.graphics.pump import FramePump


def frames(n: int) -> list[np.ndarray]:
    return [np.full((2, 2, 3), i, np.uint8) for i in range(n)]


def test_a_slow_consumer_gets_the_newest_frame_and_the_rest_are_dropped():
    delivered: list[int] = []
    pump = FramePump(lambda f: int(f[0, 0, 0]), delivered.append, max_fps=1000)
    try:
        pump.submit(frames(1)[0])
        wait_until(lambda: delivered == [0], 2)
        for frame in frames(50)[1:]:  # the terminal has not taken frame 0 yet
            pump.submit(frame)
        time.sleep(0.1)
        assert delivered == [0]  # nothing encoded while one frame waits
        pump.done()
        wait_until(lambda: len(delivered) == 2, 2)
        assert delivered == [0, 49] and pump.dropped == 48 and pump.encoded == 2
    finally:
        pump.close()


def test_the_frame_rate_is_capped():
    delivered: list[float] = []
    pump: FramePump[int] = FramePump(lambda f: 0, lambda _: delivered.append(time.monotonic()),
                                     max_fps=20)  # fmt: skip
    stop = threading.Event()

    def player() -> None:  # a 200 fps video, each frame written at once
        while not stop.is_set():
            pump.submit(frames(1)[0])
            pump.done()
            time.sleep(0.005)

    thread = threading.Thread(target=player)
    thread.start()
    time.sleep(1.0)
    stop.set()
    thread.join()
    pump.close()
    gaps = np.diff(delivered)
    assert 10 <= len(delivered) <= 22 and gaps.min() >= 0.045


def test_a_frame_that_fails_to_encode_is_skipped():
    delivered: list[int] = []

    def encode(frame: np.ndarray) -> int:
        if frame[0, 0, 0] == 1:
            raise ValueError("bad frame")
        return int(frame[0, 0, 0])

    pump = FramePump(encode, delivered.append, max_fps=1000)
    try:
        for frame in frames(3):
            pump.submit(frame)
            time.sleep(0.05)
            pump.done()
        wait_until(lambda: delivered == [0, 2], 2)
    finally:
        pump.close()


def test_close_stops_the_thread_and_forget_drops_the_waiting_frame():
    delivered: list[int] = []
    pump = FramePump(lambda f: 1, delivered.append, max_fps=1000)
    pump.submit(frames(1)[0])
    wait_until(lambda: delivered, 2)
    pump.submit(frames(1)[0])
    pump.forget()
    pump.done()
    time.sleep(0.1)
    assert delivered == [1]
    pump.close()
    assert not pump._thread.is_alive()
