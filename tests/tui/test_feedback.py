"""Every playback key says what it did: the clock in the pane's title, skip and mute in the
status line (real libmpv, audio output off)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.tui.conftest import rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.now_playing import NowPlaying, clock

SIZE = (120, 36)
CLOCK = re.compile(r"(▶|paused) (\d+):(\d\d) / (\d+):(\d\d)")


def with_audio_track(video, out):
    """A copy of ``video`` with a 1 kHz tone as its audio track (ffmpeg, from the tests' apt
    packages)."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(video), "-f", "lavfi", "-i",
         "sine=frequency=1000:duration=4", "-c:v", "copy", "-c:a", "aac", "-shortest", str(out)],
        check=True,
    )  # fmt: skip
    return out


def seconds_shown(app) -> tuple[str, float, float]:
    match = CLOCK.search(app.screen.query_one(NowPlaying).clock_text)
    assert match, app.screen.query_one(NowPlaying).clock_text
    state, m, s, dm, ds = match.groups()
    return state, int(m) * 60 + int(s), int(dm) * 60 + int(ds)


@pytest.fixture
def playing_app(library_factory, clip_factory):
    """Three 6 s clips, no predictions, the real mpv player with audio output off."""
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=0)
    for i, scene in enumerate(("fire", "sea", "snow")):
        shutil.copyfile(clip_factory(scene, seed=7, seconds=6.0), settings.data_dir / f"{i}.mp4")
    return settings, VidsortApp(settings.with_changes(player={"mode": "inline", "audio": False}))


def test_clock_format():
    assert [clock(s) for s in (None, 0, 7.9, 62, 3723)] == ["-:--", "0:00", "0:07", "1:02",
                                                             "1:02:03"]  # fmt: skip


async def test_position_and_duration_show_and_follow_seek_and_pause(playing_app):
    _settings, app = playing_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: CLOCK.search(pilot.app.screen.query_one(NowPlaying).clock_text), 8
        )
        await wait_for(pilot, lambda: seconds_shown(pilot.app)[2] == 6, 5)
        await pilot.press("space")
        await wait_for(pilot, lambda: seconds_shown(pilot.app)[0] == "paused")
        assert "Paused" in rendered(pilot.app, "#status")
        _, before, _ = seconds_shown(pilot.app)
        await pilot.press("right")
        await wait_for(pilot, lambda: seconds_shown(pilot.app)[1] >= min(before + 4, 5), 5)
        assert re.search(r"Forward 5 s → \d:\d\d / 0:06", rendered(pilot.app, "#status"))
        await pilot.press("left")
        await wait_for(pilot, lambda: seconds_shown(pilot.app)[1] <= max(before, 1), 5)
        assert "Back 5 s" in rendered(pilot.app, "#status")
        await pilot.press("space")
        await wait_for(pilot, lambda: seconds_shown(pilot.app)[0] == "▶")


async def test_skip_says_what_it_skipped(playing_app):
    settings, app = playing_app
    names = Library(settings).unsorted()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        assert f"Skipped {names[0]} (left unsorted)" in rendered(pilot.app, "#status")
        await pilot.press("s", "s")  # past the last one: says so, stays on it
        assert "that was the last one" in rendered(pilot.app, "#status")
        assert sorted(p.name for p in settings.data_dir.iterdir() if p.is_file()) == names


async def test_mute_says_when_a_video_has_no_audio_track(playing_app, tmp_path):
    settings, app = playing_app
    with_audio_track(settings.data_dir / "0.mp4", settings.data_dir / "0-sound.mp4")
    async with app.run_test(size=SIZE) as pilot:  # first in the list: the one with sound
        view = pilot.app.screen.query_one("#video")
        await wait_for(pilot, lambda: view.has_audio is not None, 8)
        assert view.has_audio is True
        await pilot.press("m")
        status = rendered(pilot.app, "#status")
        assert "Sound is off for this session" in status and "no audio track" not in status
        await pilot.press("j")  # 0.mp4: video only
        await wait_for(pilot, lambda: view.has_audio is False, 8)
        await pilot.press("m")
        assert "this video has no audio track" in rendered(pilot.app, "#status")


async def test_without_a_player_the_keys_say_so(make_app):
    async with make_app().run_test(size=SIZE) as pilot:
        for key in ("space", "right", "m"):
            await pilot.press(key)
            assert "No player (--player none)" in rendered(pilot.app, "#status"), key
