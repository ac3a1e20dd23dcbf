"""GET /api/groups and /api/duplicates on 10,000 cached videos, against GET /api/videos on the
same library in the same run and server (target: median <= 2x), over real HTTP.

The library: 10,000 unsorted (empty) files and 2,000 filed ones; predictions for all;
similarity.json computed by the pipeline's own step from synthetic clustered embeddings and
signatures (bench.similarity_data), which also times that step for 10,000 videos.
Run: python -m bench.analysis_api
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from api_compat.main import create_app
from bench.common import serve_app, timings
from bench.similarity_data import synthetic_features
from pipeline.similarity import lookalikes as similarity
from vidsort_tui.core.config import Settings
from vidsort_tui.core.predictions import Prediction, write_predictions

UNSORTED, FILED, REQUESTS = 10_000, 2_000, 200
PATHS = ("/api/videos", "/api/groups", "/api/duplicates")


def build(root: Path) -> tuple[Settings, float, float]:
    """The library on disk and similarity.json; returns the similarity step's seconds, the
    first time and again (as a refit after sorts: the neighbour lists are reused)."""
    features = synthetic_features(UNSORTED, FILED)
    data = root / "videos"
    for rel in features:
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).touch()
    settings = Settings.load({"data_dir": data, "artifacts_dir": root / "art"}, environ={})
    top = (("folder1", 0.81), ("folder2", 0.12), ("folder3", 0.07))
    predictions = {n: Prediction("folder1", 0.81, top) for n in features if "/" not in n}
    write_predictions(settings.artifacts_dir, predictions)
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        similarity.run(settings, features, predictions)
        seconds.append(time.perf_counter() - start)
    return settings, seconds[0], seconds[1]


def rebuilds(settings: Settings) -> dict[str, float]:
    """Median ms to answer after a change (the library listed and matched again), per body;
    GET /api/videos's listing rebuilt the same way for comparison."""
    app = create_app(settings)
    store, listing, bodies = app.state.view.similarity, app.state.view.listing, app.state.bodies
    out = {}
    for part, rebuild in (
        ("/api/videos", lambda: (bodies.clear(), bodies.videos(listing, "found"))),
        ("/api/groups", lambda: (bodies.clear(), setattr(store, "_current_stamp", None),
                                 bodies.similarity(store, "groups"))),
        ("/api/duplicates", lambda: (bodies.clear(), setattr(store, "_current_stamp", None),
                                     bodies.similarity(store, "duplicates"))),
    ):  # fmt: skip
        out[part] = statistics.median(timings(rebuild, repeat=9)) * 1000
    return out


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="vidsort-analysis-bench-"))
    try:
        settings, step, again = build(root)
        server, thread, port = serve_app(create_app(settings))
        time.sleep(2.1)  # past the racy-mtime window: the steady state of a library at rest
        timings: dict[str, list[float]] = {p: [] for p in PATHS}
        sizes = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(REQUESTS):  # interleaved, so load on the machine falls on all alike
                for path, out in timings.items():
                    start = time.perf_counter()
                    response = client.get(path)
                    out.append(time.perf_counter() - start)
                    assert response.status_code == 200
                    sizes[path] = len(response.content)
        server.should_exit = True
        thread.join(5)
        print(f"{UNSORTED} unsorted + {FILED} filed videos; similarity step {step:.1f} s, "
              f"{again:.1f} s again as in a refit; {REQUESTS} requests each")  # fmt: skip
        base = statistics.median(timings["/api/videos"]) * 1000
        for path in PATHS:
            median = statistics.median(timings[path]) * 1000
            print(f"{path}: median {median:.2f} ms, body {sizes[path] / 1e3:.0f} kB "
                  f"-> {median / base:.2f}x GET /api/videos (target <= 2)")  # fmt: skip
        for path, ms in rebuilds(settings).items():
            print(f"{path} after a change (listed and matched again): median {ms:.1f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
