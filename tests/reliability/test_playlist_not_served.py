"""A playlist named like a video is never served as one: Chromium's <video> follows an HLS
playlist even sent as video/mp4 with nosniff (seen: it fetched the segment URL), so the
server answers 404 for text instead (api_compat/routes/media.py, core/media.py).

Real uvicorn, real Debian Chromium (Playwright), a second HTTP server on 127.0.0.1 that
records every request the playlists point at."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.browser.conftest import ARGS, CHROMIUM, needs_chromium


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), type("Handler", (_Recorder,), {"seen": seen})
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def playlists(url: str) -> dict[str, bytes]:
    """HLS and M3U playlists (plain, UTF-8 with a BOM, UTF-16) listing segments on another
    server (``url``), relative to the playlist, and on the vidsort server itself."""
    hls = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{}\n#EXT-X-ENDLIST\n"
    return {
        "7900000000000001.mp4": hls.format("segment-relative.ts").encode(),
        "7900000000000002.mp4": hls.format(f"{url}/segment-elsewhere.ts").encode(),
        "7900000000000003.mp4": hls.format("/videos/7900000000000009.mp4").encode(),
        "7900000000000004.mp4": f"#EXTM3U\n#EXTINF:1,x\n{url}/listed.mp4\n".encode(),
        "7900000000000005.mp4": ("\ufeff" + hls.format("segment-bom.ts")).encode(),
        "7900000000000006.mp4": ("\ufeff" + hls.format("segment-utf16.ts")).encode("utf-16-le"),
    }


def test_the_server_answers_404_for_a_playlist_named_like_a_video(library_factory, serve, recorder):
    url, seen = recorder
    settings = library_factory({"sea": 2}, unsorted=1)
    for name, body in playlists(url).items():
        (settings.data_dir / name).write_bytes(body)
    server = serve(settings)
    with httpx.Client(base_url=server.url) as client:
        for name in playlists(url):
            for method in ("GET", "HEAD"):
                answer = client.request(method, f"/videos/{name}", headers={"Range": "bytes=0-"})
                assert answer.status_code == 404, (name, method)
            detail = client.get(f"/videos/{name}").json()["detail"]
            assert "not a video file" in detail and "playlist" in detail
        real = next(p.name for p in settings.data_dir.iterdir() if p.name.startswith("71"))
        answer = client.get(f"/videos/{real}")
        assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
        sorted_clip = next((settings.data_dir / "sea").iterdir()).name
        assert client.get(f"/videos/{sorted_clip}").status_code == 200
    assert seen == []


@needs_chromium
def test_chromium_fetches_nothing_a_playlist_lists(library_factory, serve, recorder):
    """The page is served from the vidsort server's origin, like the real page."""
    from playwright.sync_api import sync_playwright

    url, seen = recorder
    settings = library_factory({"sea": 2}, unsorted=0)
    names = list(playlists(url))
    for name, body in playlists(url).items():
        (settings.data_dir / name).write_bytes(body)
    server = serve(settings)
    page_url = f"{server.url}/test-page.html"
    html = "".join(f'<video src="/videos/{n}" autoplay muted></video>' for n in names)
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.route(page_url, lambda route: route.fulfill(
                status=200, content_type="text/html", body=f"<!doctype html><body>{html}"))  # fmt: skip
            page.goto(page_url)
            page.wait_for_timeout(3000)
            errors = page.evaluate("[...document.querySelectorAll('video')].map(v => !!v.error)")
        finally:
            browser.close()
    assert errors == [True] * len(names)  # each one failed to load: nothing played
    allowed = {page_url, f"{server.url}/favicon.ico", *(f"{server.url}/videos/{n}" for n in names)}
    assert set(requested) <= allowed, set(requested) - allowed  # nothing a playlist lists
    assert seen == []
