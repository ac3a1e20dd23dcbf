"""GET /api/videos with 10,000 unsorted videos and predictions, over real HTTP.

Baseline in the same run and server: a route returning a prebuilt JSON body of the same
size. Target: median and p99 <= 2x the baseline. Also prints the cost of rebuilding the
body after a change (the cached body is reused while nothing changed).
Run: python -m bench.api_videos
"""

from __future__ import annotations

import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi import Response

from api_compat.main import create_app
from vidsort_tui.core.config import Settings
from vidsort_tui.core.predictions import Prediction, write_predictions

COUNT, REQUESTS = 10_000, 200


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="vidsort-api-bench-"))
    try:
        data = root / "videos"
        (data / "sea").mkdir(parents=True)
        names = [f"{7000000000000000 + i}.mp4" for i in range(COUNT)]
        for name in names:
            (data / name).touch()
        settings = Settings.load({"data_dir": data, "artifacts_dir": root / "art"}, environ={})
        top = (("sea", 0.81), ("fire", 0.12), ("snow", 0.07))
        write_predictions(settings.artifacts_dir, {n: Prediction("sea", 0.81, top) for n in names})
        app = create_app(settings)
        listing, bodies = app.state.view.listing, app.state.bodies
        prebuilt = bodies.videos(listing, "found")

        @app.get("/bench/prebuilt")
        def prebuilt_route() -> Response:
            return Response(prebuilt, media_type="application/json")

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        time.sleep(2.1)  # past the racy-mtime window: the steady state of a library at rest
        timings: dict[str, list[float]] = {"/api/videos": [], "/bench/prebuilt": []}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(REQUESTS):
                for path, out in timings.items():
                    start = time.perf_counter()
                    body = client.get(path).content
                    out.append(time.perf_counter() - start)
                    assert len(body) == len(prebuilt)
        server.should_exit = True
        thread.join(5)
        rebuild = []
        for _ in range(10):
            start = time.perf_counter()
            bodies.clear()  # as after a change
            bodies.videos(listing, "found")
            rebuild.append(time.perf_counter() - start)

        def stats(values: list[float]) -> tuple[float, float]:
            ordered = sorted(values)
            return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000

        ours, base = stats(timings["/api/videos"]), stats(timings["/bench/prebuilt"])
        print(f"{COUNT} videos, body {len(prebuilt) / 1e6:.1f} MB, {REQUESTS} requests each")
        print(
            f"median {ours[0]:.2f} ms vs prebuilt {base[0]:.2f} ms -> ratio {ours[0] / base[0]:.2f} (target <= 2)"
        )
        print(
            f"p99    {ours[1]:.2f} ms vs prebuilt {base[1]:.2f} ms -> ratio {ours[1] / base[1]:.2f} (target <= 2)"
        )
        print(
            f"rebuilding the body after a change: median {statistics.median(rebuild) * 1000:.1f} ms"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
