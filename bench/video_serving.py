"""GET /videos/{name} (streamed from the descriptor the library opened, behind the request
guard) vs Starlette's FileResponse on the same file in the same server and process.

A 16 MB file, whole and as the 1 MB ranges a browser's player asks for. Target: median
<= 1.25x FileResponse (the descriptor path must not cost playback). Also: a minimal JSON route
with and without the request guard, in two apps on the same kind of server, for the guard's
cost per request. Run: python -m bench.video_serving
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse

from api_compat.main import create_app
from bench.common import report, serve_app
from vidsort_tui.core.config import Settings

SIZE, REQUESTS, RANGE = 16 * 1024 * 1024, 60, 1024 * 1024


def _paired(port: int, paths: dict[str, dict[str, str]], repeat: int) -> dict[str, list[float]]:
    """Alternate the paths on one keep-alive client, so drift falls on all alike."""
    out: dict[str, list[float]] = {p: [] for p in paths}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for _ in range(repeat):
            for path, headers in paths.items():
                start = time.perf_counter()
                response = client.get(path.split("#")[0], headers=headers)
                out[path].append(time.perf_counter() - start)
                assert response.status_code in (200, 206), response.status_code
    return out


def _alternating(port: int, other: int, path: str, repeat: int) -> tuple[list[float], list[float]]:
    """The same path on two servers, one request each in turn."""
    times: tuple[list[float], list[float]] = ([], [])
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}") as first,
        httpx.Client(base_url=f"http://127.0.0.1:{other}") as second,
    ):
        for _ in range(repeat):
            for client, out in ((first, times[0]), (second, times[1])):
                start = time.perf_counter()
                assert client.get(path).status_code == 200
                out.append(time.perf_counter() - start)
    return times


def main() -> float:
    root = Path(tempfile.mkdtemp(prefix="vidsort-video-bench-"))
    try:
        (root / "videos").mkdir()
        name = "7000000000000000.mp4"
        (root / "videos" / name).write_bytes(os.urandom(SIZE))
        settings = Settings.load(
            {"data_dir": root / "videos", "artifacts_dir": root / "art"}, environ={}
        )
        app = create_app(settings)

        @app.get("/bench/file")
        def file_route() -> FileResponse:
            return FileResponse(root / "videos" / name, media_type="video/mp4")

        bare = FastAPI()

        @bare.get("/ping")
        def bare_ping() -> JSONResponse:
            return JSONResponse({"ok": True})

        @app.get("/ping")
        def guarded_ping() -> JSONResponse:
            return JSONResponse({"ok": True})

        server, thread, port = serve_app(app)
        bare_server, bare_thread, bare_port = serve_app(bare)
        part = {"Range": f"bytes={SIZE // 2}-{SIZE // 2 + RANGE - 1}"}
        runs = _paired(port, {f"/videos/{name}": {}, "/bench/file": {},
                              f"/videos/{name}#range": part, "/bench/file#range": part},
                       REQUESTS)  # fmt: skip
        guarded, unguarded = _alternating(port, bare_port, "/ping", 500)
        for s, t in ((server, thread), (bare_server, bare_thread)):
            s.should_exit = True
            t.join(5)

        def ms(values: list[float]) -> float:
            return statistics.median(values) * 1000

        print(f"{SIZE >> 20} MB file, {REQUESTS} requests each, medians")
        whole = report("whole file from the descriptor vs FileResponse",
                       ms(runs[f"/videos/{name}"]), ms(runs["/bench/file"]), "<= 1.25x")  # fmt: skip
        report(f"{RANGE >> 20} MB range from the descriptor vs FileResponse",
               ms(runs[f"/videos/{name}#range"]), ms(runs["/bench/file#range"]), "<= 1.25x")  # fmt: skip
        report("tiny JSON route with the request guard vs without", ms(guarded), ms(unguarded),
               "info")  # fmt: skip
        return whole
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
