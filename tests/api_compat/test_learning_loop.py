"""The server learns while a page user sorts, as the TUI does: a refit every N sorts counted
across workers, one at a time, and an undone video gets its prediction back at once."""

from __future__ import annotations

import json
import time

import httpx

from tests.conftest import wait_until
from vidsort_tui.core import artifacts
from vidsort_tui.core.learning import read_learning
from vidsort_tui.core.library import Library
from vidsort_tui.services import job_lock, retrain


def predictions(settings) -> dict:
    return json.loads((settings.artifacts_dir / artifacts.PREDICTIONS).read_text())


def sort_on_a_fresh_connection(server, filename: str, folder: str) -> str:
    """Sort through a new connection (so requests spread over the workers); the worker."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post("/api/sort", json={"filename": filename, "folder": folder})
        assert response.status_code == 200, response.text
        return response.headers["x-vidsort-worker"]


def idle(settings) -> bool:
    return not job_lock.is_locked(settings.artifacts_dir)


def test_two_workers_refit_every_n_sorts_one_at_a_time(library_factory, serve):
    settings = library_factory({"fire": 3, "sea": 3}, unsorted=8).with_changes(
        model={"refit_every": 3}
    )
    assert retrain.run(settings).ok
    model = settings.artifacts_dir / artifacts.MODEL
    trained = model.stat().st_mtime_ns
    assert read_learning(settings.artifacts_dir).refits == 0
    server = serve(settings, workers=2)
    names = Library(settings).unsorted()
    workers = {sort_on_a_fresh_connection(server, n, "fire") for n in names[:2]}
    time.sleep(1.0)
    assert model.stat().st_mtime_ns == trained and idle(settings)  # 2 sorts: not due yet
    workers.add(sort_on_a_fresh_connection(server, names[2], "sea"))
    wait_until(lambda: read_learning(settings.artifacts_dir).refits == 1, 60)
    assert model.stat().st_mtime_ns != trained
    assert set(predictions(settings)) == set(names[3:])  # every unsorted video, the new model's
    # Three more sorts while that refit may still run: the same loop refits once more.
    for name in names[3:6]:
        workers.add(sort_on_a_fresh_connection(server, name, "sea"))
    wait_until(lambda: read_learning(settings.artifacts_dir).refits == 2 and idle(settings), 60)
    time.sleep(0.5)
    state = read_learning(settings.artifacts_dir)
    assert state.refits == 2, "three sorts are one refit, whichever workers served them"
    assert set(predictions(settings)) == set(names[6:])
    spans = sorted(state.recent)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
    print("workers that served the sorts:", workers)


def test_an_undone_video_gets_a_prediction_at_once(library_factory, serve):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=3).with_changes(
        model={"refit_every": 1}
    )
    assert retrain.run(settings).ok
    server = serve(settings, workers=2)
    name = Library(settings).unsorted()[0]
    sort_on_a_fresh_connection(server, name, "fire")
    wait_until(lambda: read_learning(settings.artifacts_dir).refits == 1 and idle(settings), 60)
    assert name not in predictions(settings)  # the refit predicts the unsorted videos only
    with server.client() as client:
        assert client.post("/api/undo").json()["undone"] == [{"filename": name, "folder": "fire"}]

        def predicted() -> bool:
            videos = {v["filename"]: v for v in client.get("/api/videos").json()["videos"]}
            return videos[name]["predicted_folder"] in {"fire", "sea"}

        wait_until(predicted, 60)
