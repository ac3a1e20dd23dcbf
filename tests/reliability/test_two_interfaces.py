"""The TUI (Pilot) and two real API servers sort, undo and create folders on one library."""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
import time

import httpx

from tests.reliability.invariants import assert_each_video_once, assert_journal_consistent
from vidsort_tui.core.library import Library
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.main_screen import MainScreen

SECONDS = 8


def api_client_loop(url: str, seed: int, stop: threading.Event, codes: list[int]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            videos = [v["filename"] for v in client.get("/api/videos").json()["videos"]]
            folders = [f["name"] for f in client.get("/api/folders").json()["folders"]]
            roll = rng.random()
            if videos and roll < 0.6:
                r = client.post(
                    "/api/sort",
                    json={"filename": rng.choice(videos), "folder": rng.choice(folders)},
                )
            elif roll < 0.9:
                r = client.post("/api/undo")
            else:
                r = client.post("/api/folders", json={"name": f"new{rng.randint(0, 3)}"})
            codes.append(r.status_code)


async def test_tui_and_two_servers_at_once_keep_every_invariant(library_factory, serve):
    settings = library_factory({"fire": 3, "sea": 3, "snow": 3}, unsorted=24)
    originals = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in settings.data_dir.rglob("*.mp4")
    }
    servers = [serve(settings), serve(settings)]
    stop, codes = threading.Event(), []
    threads = [
        threading.Thread(target=api_client_loop, args=(s.url, i, stop, codes))
        for i, s in enumerate(servers)
    ]
    app = VidsortApp(
        settings.with_changes(player={"mode": "none", "audio": False}, model={"refit_every": 1000})
    )
    rng = random.Random(3)
    async with app.run_test(size=(120, 36)) as pilot:
        for t in threads:
            t.start()
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            await pilot.press(rng.choice(["1", "2", "3", "u", "j", "k", "enter"]))
            await pilot.pause(0.02)
        stop.set()
        for t in threads:
            t.join()
        await pilot.pause(2.0)  # the TUI's rescan catches up with the servers
        screen = app.screen
        assert isinstance(screen, MainScreen)
        library = Library(settings)
        snapshot = library.scan()
        assert [e.filename for e in screen.entries] == snapshot.unsorted
        assert {f.name: f.count for f in screen.folders} == {
            f.name: f.count for f in snapshot.folders
        }
    assert codes.count(500) == 0 and codes.count(200) > 20, codes
    assert set(codes) <= {200, 201, 404, 409}
    assert_each_video_once(settings.data_dir, originals)
    assert_journal_consistent(Library(settings))
    assert_each_video_once(settings.data_dir, originals)
    await asyncio.sleep(0)
