"""A file named like a video that is a playlist (M3U, PLS, HLS), an mpv EDL, a concat list, a
cue sheet or a bare link: no player opens anything else because of it.

Real libmpv (audio off) and OpenCV, a real HTTP server on 127.0.0.1 that records every
connection, and a real clip outside DATA_DIR that the files point at; what the player process
opened is read from /proc/self/fd (the players run inside this process).
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import mpv
import pytest
from textual.app import App, ComposeResult

from vidsort_tui.core.library import Library
from vidsort_tui.player.mpv_backend import SAFE_OPTIONS
from vidsort_tui.player.probe import Unplayable, open_checked
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.video_view import VideoView


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def setup(self) -> None:
        super().setup()
        self.seen.append(f"connection from {self.client_address}")

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Bait:
    data: Path
    outside: Path
    files: dict[str, Path]
    requests: list[str]
    real: Path

    def outside_fds(self) -> list[str]:
        """Descriptors of this process open on the file outside DATA_DIR."""
        found = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}") == str(self.outside):
                    found.append(fd)
            except OSError:
                pass
        return found


def playlists(url: str, outside: Path) -> dict[str, bytes]:
    texts = {
        "m3u": f"#EXTM3U\n#EXTINF:1,x\n{url}/m3u.mp4\n{outside}\n",
        "pls": f"[playlist]\nFile1={url}/pls.mp4\nFile2={outside}\nNumberOfEntries=2\n",
        "hls": f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{url}/hls.ts\n"
        f"#EXTINF:1.0,\n{outside}\n#EXT-X-ENDLIST\n",
        "edl": f"# mpv EDL v0\n{outside},0,1\n",
        "edl-url": f"# mpv EDL v0\n{url}/edl.mp4,0,1\n",
        "concat": f"ffconcat version 1.0\nfile '{outside}'\nfile '{url}/concat.mp4'\n",
        "cue": f'FILE "{outside}" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n',
        "url": f"{url}/bare.mp4\n",
        "ytdl": f"ytdl://{url}/watch\n",
    }
    files = {name: text.encode() for name, text in texts.items()}
    files["m3u-utf16"] = ("\ufeff" + texts["m3u"]).encode("utf-16-le")  # no longer plain text
    files["hls-nul"] = b"\x00" + texts["hls"].encode()  # a NUL so it does not look like text
    return files


@pytest.fixture
def bait(tmp_path: Path, clip_factory) -> Iterator[Bait]:
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    outside = tmp_path / "outside" / "secret.mp4"
    outside.parent.mkdir()
    shutil.copyfile(clip_factory("fire", seed=3), outside)
    data = tmp_path / "videos"
    data.mkdir()
    files = {}
    for i, (name, body) in enumerate(playlists(url, outside).items()):
        files[name] = data / f"{7300000000000000 + i}.mp4"
        files[name].write_bytes(body)
    real = data / "7399999999999999.mp4"
    shutil.copyfile(clip_factory("sea", seed=3, seconds=3.0), real)
    yield Bait(data, outside, files, requests, real)
    server.shutdown()
    server.server_close()


def watch(bait: Bait, seconds: float) -> list[str]:
    """Poll this process's descriptors for ``seconds``: any open on the outside file."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen += bait.outside_fds()
        time.sleep(0.01)
    return seen


async def wait_for(pilot, condition, seconds: float) -> None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"not within {seconds} s")


class PlayerApp(App[None]):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield VideoView(self.mode, audio=False, id="video")


def pane_text(view: VideoView) -> str:
    return "\n".join(
        "".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)
    )


@pytest.fixture(params=["mpv", "opencv", "window"])
def backend(request, monkeypatch, tmp_path) -> str:
    if request.param == "opencv":
        monkeypatch.setenv("VIDSORT_PLAYER_BACKEND", "opencv")
        return "inline"
    if request.param == "window":
        display = request.getfixturevalue("x_display")
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
        return "window"
    return "inline"


async def test_no_backend_opens_what_a_playlist_named_mp4_points_at(bait, backend):
    async with PlayerApp(backend).run_test(size=(60, 16)) as pilot:
        view = pilot.app.query_one(VideoView)
        opened: list[str] = []
        for name, path in bait.files.items():
            view.play(path)
            assert view.unplayable, name
            await pilot.pause(0.05)
            assert "Cannot play this file" in pane_text(view), name
            opened += watch(bait, 0.3)
        opened += watch(bait, 1.5)
        assert bait.requests == [] and opened == []
        view.play(bait.real)  # a real video still plays, from the checked descriptor
        assert view.unplayable is None
        if view.backend_name == "window":
            await wait_for(pilot, lambda: (view.position or 0) > 0.3, 5.0)
        else:
            await wait_for(pilot, lambda: view.frames_painted > 3, 5.0)
            assert "Cannot play this file" not in pane_text(view)
    assert bait.requests == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [("m3u", "text file"), ("edl", "text file"), ("url", "text file"), ("ytdl", "text file"),
     ("m3u-utf16", "text file"), ("hls-nul", "not a video FFmpeg can read")],
)  # fmt: skip
def test_the_reason_says_what_the_file_is(bait, name, reason):
    with pytest.raises(Unplayable, match=reason):
        open_checked(bait.files[name])
    assert bait.requests == []


def test_the_probe_refuses_links_fifos_and_empty_files(bait, tmp_path):
    link = bait.data / "7500000000000000.mp4"
    link.symlink_to(bait.outside)
    fifo = bait.data / "7500000000000001.mp4"
    os.mkfifo(fifo)
    empty = bait.data / "7500000000000002.mp4"
    empty.touch()
    for path, reason in ((link, "symbolic link"), (fifo, "not a regular file"),
                         (empty, "empty"), (bait.data / "gone.mp4", "gone")):  # fmt: skip
        with pytest.raises(Unplayable, match=reason):
            open_checked(path)
    video = open_checked(bait.real)
    try:
        assert video.demuxer == "mov" and os.lseek(video.fd, 0, os.SEEK_CUR) == 0
    finally:
        video.close()


def test_libmpv_with_the_safe_options_alone_follows_nothing(bait):
    """Even handed a path directly (no probe), libmpv with SAFE_OPTIONS opens nothing else."""
    for name, path in bait.files.items():
        player = mpv.MPV(**SAFE_OPTIONS, vo="null", ao="null", terminal=False)
        try:
            player.command("loadfile", str(path), "replace")
            opened = watch(bait, 0.6)
            assert opened == [] and bait.requests == [], name
        finally:
            player.terminate()
    player = mpv.MPV(**SAFE_OPTIONS, vo="null", ao="null", terminal=False)
    try:  # and a real video still plays with them
        player.command("loadfile", str(bait.real), "replace")
        deadline = time.monotonic() + 5
        while (player.time_pos or 0) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (player.time_pos or 0) >= 0.3
    finally:
        player.terminate()


async def test_mpv_keeps_playing_the_checked_file_when_the_name_is_swapped(bait):
    """The name is resolved once, by the probe: a playlist renamed over it is never read."""
    async with PlayerApp("inline").run_test(size=(60, 16)) as pilot:
        view = pilot.app.query_one(VideoView)
        view.play(bait.real)
        await wait_for(pilot, lambda: view.frames_painted > 3, 5.0)
        os.replace(bait.files["m3u"], bait.real)
        painted = view.frames_painted
        assert watch(bait, 1.5) == []
        await wait_for(pilot, lambda: view.frames_painted > painted + 5, 5.0)
        view.seek(-5)  # seeking reads the same descriptor again
        await wait_for(pilot, lambda: view.frames_painted > painted + 10, 5.0)
    assert bait.requests == []


@pytest.mark.parametrize("backend_name", ["mpv", "opencv"])
async def test_no_descriptor_is_left_open_after_switching_and_closing(
    bait, clip_factory, monkeypatch, backend_name
):
    if backend_name == "opencv":
        monkeypatch.setenv("VIDSORT_PLAYER_BACKEND", "opencv")
    clips = [bait.real, *(shutil.copyfile(clip_factory(s, seed=4), bait.data / f"{7600 + i}.mp4")
                          for i, s in enumerate(("fire", "snow")))]  # fmt: skip
    paths = [*clips, bait.files["m3u"], *clips]

    def open_on_data() -> list[str]:
        out = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}").startswith(str(bait.data)):
                    out.append(fd)
            except OSError:
                pass
        return out

    async with PlayerApp("inline").run_test(size=(60, 16)) as pilot:
        view = pilot.app.query_one(VideoView)
        for i in range(30):
            view.play(paths[i % len(paths)])
            await pilot.pause(0.01 if i % 3 else 0.2)
        view.play(clips[0])
        await wait_for(pilot, lambda: view.frames_painted > 0, 5.0)
        await pilot.pause(0.5)
        assert len(open_on_data()) <= 2  # the one playing (and OpenCV's own open of it)
    assert open_on_data() == []


async def test_the_tui_says_a_playlist_named_mp4_cannot_be_played(library_factory, bait):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=0)  # in bait's data folder
    assert settings.data_dir == bait.data
    assert Library(settings).unsorted()[0] == bait.files["m3u"].name  # selected first
    app = VidsortApp(settings.with_changes(player={"mode": "inline", "audio": False}))
    async with app.run_test(size=(110, 32)) as pilot:
        view = app.screen.query_one(VideoView)
        await wait_for(pilot, lambda: view.path is not None and view.unplayable, 5.0)
        shown = pane_text(view)
        assert "Cannot play this file" in shown and "playlist" in shown
        await pilot.press("space")  # pause: says why nothing plays
        await pilot.pause(0.1)
        assert "Cannot play this file" in app.screen.query_one(StatusBar).last_action
        assert watch(bait, 1.0) == []
    assert bait.requests == []


def remux(source: Path, target: Path) -> Path:
    """The same H.264 stream in another container (Matroska for .mkv)."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    return target


@pytest.mark.parametrize("backend_name", ["mpv", "opencv"])
async def test_a_matroska_video_still_plays(bait, monkeypatch, backend_name):
    if backend_name == "opencv":
        monkeypatch.setenv("VIDSORT_PLAYER_BACKEND", "opencv")
    mkv = remux(bait.real, bait.data / "7400000000000000.mkv")
    checked = open_checked(mkv)
    checked.close()
    assert checked.demuxer == "matroska"
    async with PlayerApp("inline").run_test(size=(60, 16)) as pilot:
        view = pilot.app.query_one(VideoView)
        view.play(mkv)
        assert view.unplayable is None
        await wait_for(pilot, lambda: view.frames_painted > 3, 5.0)
