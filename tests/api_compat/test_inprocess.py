"""The routes in process (FastAPI's TestClient): the contract's shapes and codes in
milliseconds. The live-uvicorn suites beside this one stay: workers, Range over a socket,
races and the guards as a browser meets them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api_compat.main import create_app
from tests.core.test_library import cut_move
from tests.tui.conftest import predict_all
from vidsort_tui.core.library import Library


@pytest.fixture
def client(library_factory):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=3)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("sea", 0.87)})
    # The Host guard answers loopback names only, so the client must be one.
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client, settings, names


def test_a_server_worker_starts_by_finishing_a_move_a_crash_cut(library_factory):
    """Every worker builds its app with create_app (also under plain uvicorn, or respawned):
    a video left under two names by a kill mid-move is listed once."""
    settings = library_factory({"sea": 1}, unsorted=1)
    name = cut_move(settings)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as http:
        assert http.get("/api/videos").json()["total"] == 0
    assert not (settings.artifacts_dir / "moves.lock.intent").exists()
    assert (settings.data_dir / "sea" / name).exists()


def test_documented_reads(client):
    http, _, names = client
    videos = http.get("/api/videos").json()
    assert videos["total"] == 3 and [v["filename"] for v in videos["videos"]] == names
    assert videos["videos"][0]["predicted_folder"] == "sea"
    assert videos["videos"][1] == {
        "filename": names[1], "predicted_folder": None, "confidence": 0, "top_predictions": [],
        "new_kind": False,
    }  # fmt: skip
    assert http.get("/api/folders").json() == {
        "folders": [
            {"name": "fire", "count": 2, "key": "1"},
            {"name": "sea", "count": 2, "key": "2"},
        ]
    }
    assert http.get("/api/retrain/status").json() == {"running": False, "last_result": None}
    assert http.get("/").headers["content-type"].startswith("text/html")


def test_sort_then_undo(client):
    http, settings, names = client
    sorted_ = http.post("/api/sort", json={"filename": names[0], "folder": "sea"})
    assert sorted_.status_code == 200
    assert sorted_.json() == {
        "success": True, "filename": names[0], "folder": "sea",
        "folders": [
            {"name": "fire", "count": 2, "key": "1"},
            {"name": "sea", "count": 3, "key": "2"},
        ],
    }  # fmt: skip
    assert (settings.data_dir / "sea" / names[0]).is_file()
    assert http.post("/api/sort", json={"filename": names[0], "folder": "sea"}).status_code == 404
    undone = http.post("/api/undo", json={}).json()
    assert undone["undone"] == [{"filename": names[0], "folder": "sea"}]
    assert (settings.data_dir / names[0]).is_file()
    assert http.post("/api/undo", json={}).status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"filename": "../x.mp4", "folder": "sea"}, 400),
        ({"filename": "1.mp4", "folder": "../sea"}, 400),
        ({"filename": "1.mp4", "folder": "nowhere"}, 400),
        ({"filename": "1.mp4"}, 422),
    ],
)
def test_sort_refuses_bad_input_with_a_4xx(client, body, status):
    http, _, _ = client
    response = http.post("/api/sort", json=body)
    assert response.status_code == status and response.json()["detail"]


def test_video_bytes_and_range(client):
    http, settings, names = client
    whole = (settings.data_dir / names[0]).read_bytes()
    assert http.get(f"/videos/{names[0]}").content == whole
    part = http.get(f"/videos/{names[0]}", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == whole[10:20]
    assert http.get("/videos/absent.mp4").status_code == 404


def test_additions(client):
    http, settings, _ = client
    assert http.post("/api/folders", json={"name": "snow"}).status_code == 201
    assert (settings.data_dir / "snow").is_dir()
    assert http.get("/api/metrics").status_code == 404  # no retrain yet
    progress = http.get("/api/retrain/progress").json()
    assert progress["running"] is False and progress["stage_label"] is None
