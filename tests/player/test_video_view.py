"""The video pane with the real libmpv backend (audio off) and the OpenCV fallback."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from textual.app import App, ComposeResult

from vidsort_tui.tui.video_view import HALF_BLOCK, VideoView, cell_keys


class PlayerApp(App[None]):
    def __init__(self, mode: str = "inline") -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield VideoView(self.mode, audio=False, id="video")


async def wait_for(pilot, condition, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        await pilot.pause(0.02)
    raise AssertionError(f"not within {seconds} s")


@pytest.fixture
def clips(clip_factory):
    return [clip_factory(scene, seed=1, seconds=3.0) for scene in ("fire", "snow", "sea")]


async def test_mpv_frames_reach_the_widget_within_2s(clips):
    async with PlayerApp().run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(VideoView)
        assert view.backend_name == "mpv" and view.fallback_hint is None
        view.play(clips[0])
        await wait_for(pilot, lambda: view.frames_painted > 0, 2.0)
        await wait_for(pilot, lambda: view.frames_painted > 10, 3.0)  # it keeps playing


async def test_pause_stops_frames_and_seek_moves_the_position(clips):
    async with PlayerApp().run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(VideoView)
        view.play(clips[0])
        await wait_for(pilot, lambda: (view.position or 0) > 0.3, 3.0)
        assert view.toggle_pause() is True
        await pilot.pause(0.3)
        painted = view.frames_painted
        await pilot.pause(0.6)
        assert view.frames_painted - painted <= 1
        before = view.position
        view.seek(1.5)
        await wait_for(pilot, lambda: abs((view.position or 0) - (before + 1.5)) < 0.3, 2.0)
        assert view.toggle_pause() is False
        await wait_for(pilot, lambda: view.frames_painted > painted + 5, 2.0)


async def test_painted_cells_are_half_blocks_coloured_by_the_video(clips):
    async with PlayerApp().run_test(size=(40, 16)) as pilot:
        view = pilot.app.query_one(VideoView)
        view.play(clips[0])  # fire: dark background, orange/yellow flames
        await wait_for(pilot, lambda: view.frames_painted > 5, 3.0)
        frame = view._frame
        strip = view.render_line(view.size.height - 2)
        text = "".join(seg.text for seg in strip)
        assert set(text) == {HALF_BLOCK}
        colours = {seg.style.color.triplet for seg in strip if seg.style and seg.style.color}
        assert any(c.red > 150 and c.red > c.blue + 60 for c in colours)  # flame colours
        keys = cell_keys(frame)
        assert keys.shape == (frame.shape[0] // 2, frame.shape[1])


async def test_twenty_rapid_switches_leave_no_stray_threads(clips):
    before = {t.ident for t in threading.enumerate()}
    async with PlayerApp().run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(VideoView)
        for i in range(20):
            view.play(clips[i % len(clips)])
            await pilot.pause(0.02)
        await wait_for(pilot, lambda: view.path == clips[19 % 3] and view.frames_painted > 0, 3.0)
    time.sleep(0.2)
    stray = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert stray == []


async def test_opencv_fallback_feeds_the_same_widget(clips, monkeypatch):
    monkeypatch.setenv("VIDSORT_PLAYER_BACKEND", "opencv")
    async with PlayerApp().run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(VideoView)
        assert view.backend_name == "opencv" and "libmpv2" in view.fallback_hint
        view.play(clips[1])
        await wait_for(pilot, lambda: view.frames_painted > 3, 3.0)
        view.seek(1.0)
        await wait_for(pilot, lambda: (view.position or 0) > 1.0, 2.0)


async def test_no_player_mode_shows_nothing():
    async with PlayerApp("none").run_test(size=(30, 10)) as pilot:
        view = pilot.app.query_one(VideoView)
        assert view.backend_name == "none" and view.toggle_pause() is True
        assert np.all(view.render_line(0).cell_length == 30)


async def test_window_mode_without_a_display_plays_inline_and_says_so(clips, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    async with PlayerApp("window").run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(VideoView)
        assert view.backend_name == "mpv" and "no display" in view.fallback_hint
        view.play(clips[0])
        await wait_for(pilot, lambda: view.frames_painted > 0, 2.0)


async def test_window_mode_plays_in_libmpvs_own_window(clips, monkeypatch, x_display, tmp_path):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    async with PlayerApp("window").run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(VideoView)
        assert view.backend_name == "window" and view.fallback_hint is None
        view.play(clips[0])
        await wait_for(pilot, lambda: (view.position or 0) > 0.5, 5.0)
        assert view.frames_painted == 0  # frames go to the window, not the terminal
        text = "".join(seg.text for seg in view.render_line(view.size.height // 2))
        assert "playing in its own window" in text
        assert view.toggle_pause() is True
