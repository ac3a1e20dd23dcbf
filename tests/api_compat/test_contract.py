"""Every documented path, field, type and status code, against a real uvicorn."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.tui.conftest import predict_all
from vidsort_tui.core.config import DOCUMENTED_NAME_PATTERN
from vidsort_tui.core.library import Library


@pytest.fixture
def api(library_factory, serve):
    settings = library_factory({"fire": 2, "food": 1, "sea": 2}, unsorted=3)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("sea", 0.87), names[1]: ("fire", 0.6)})
    server = serve(settings)
    with server.client() as client:
        yield client, settings, names


def test_plain_uvicorn_takes_its_settings_from_vidsort_variables(library_factory, serve):
    settings = library_factory({"fire": 2, "sea": 1}, unsorted=2)
    server = serve(settings, workers=2, plain_uvicorn=True)
    with server.client() as client:
        folders = {f["name"]: f["count"] for f in client.get("/api/folders").json()["folders"]}
        assert folders == {"fire": 2, "sea": 1}
        assert client.get("/api/videos").json()["total"] == 2


def test_index_serves_the_page(api):
    client, _, _ = api
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<title>vidsort</title>" in response.text


def test_videos_lists_unsorted_with_predictions(api):
    client, _, names = api
    body = client.get("/api/videos").json()
    assert set(body) == {"videos", "total"} and body["total"] == 3 == len(body["videos"])
    assert [v["filename"] for v in body["videos"]] == names
    first, _, last = body["videos"]
    assert first == {
        "filename": names[0],
        "predicted_folder": "sea",
        "confidence": 0.87,
        "top_predictions": [{"folder": "sea", "confidence": 0.87}],
        "new_kind": False,  # the one addition: no folder fits (issue 18)
    }
    assert last == {
        "filename": names[2],
        "predicted_folder": None,
        "confidence": 0,
        "top_predictions": [],
        "new_kind": False,
    }
    assert isinstance(first["confidence"], float) and isinstance(body["total"], int)


def test_folders_with_counts(api):
    client, _, _ = api
    assert client.get("/api/folders").json() == {
        "folders": [
            {"name": "fire", "count": 2, "key": "1"},  # key: an addition (stable number key)
            {"name": "food", "count": 1, "key": "2"},
            {"name": "sea", "count": 2, "key": "3"},
        ]
    }


def test_sort_moves_and_returns_updated_folders(api):
    client, settings, names = api
    response = client.post("/api/sort", json={"filename": names[0], "folder": "sea"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"success", "filename", "folder", "folders"}
    assert body["success"] is True and body["filename"] == names[0] and body["folder"] == "sea"
    assert {"name": "sea", "count": 3, "key": "3"} in body["folders"]
    assert (settings.data_dir / "sea" / names[0]).exists()
    assert names[0] not in [v["filename"] for v in client.get("/api/videos").json()["videos"]]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"filename": "../etc.mp4", "folder": "sea"}, 400),
        ({"filename": "x" * 5000 + ".mp4", "folder": "sea"}, 400),
        ({"filename": "a\x00.mp4", "folder": "sea"}, 400),
        ({"filename": "NAME0", "folder": "../outside"}, 400),
        ({"filename": "NAME0", "folder": "."}, 400),
        ({"filename": "NAME0", "folder": "/tmp"}, 400),
        ({"filename": "NAME0", "folder": "no-such-folder"}, 400),
        ({"filename": "7999999999999999.mp4", "folder": "sea"}, 404),
    ],
)
def test_sort_errors(api, body, code):
    client, settings, names = api
    body = {k: v.replace("NAME0", names[0]) for k, v in body.items()}
    response = client.post("/api/sort", json=body)
    assert response.status_code == code and set(response.json()) == {"detail"}
    assert (settings.data_dir / names[0]).exists()


def test_sort_conflict_is_409_and_touches_nothing(api):
    client, settings, names = api
    (settings.data_dir / "sea" / names[0]).write_bytes(b"other")
    before = (settings.data_dir / names[0]).read_bytes()
    response = client.post("/api/sort", json={"filename": names[0], "folder": "sea"})
    assert response.status_code == 409 and "already exists" in response.json()["detail"]
    assert (settings.data_dir / "sea" / names[0]).read_bytes() == b"other"
    assert (settings.data_dir / names[0]).read_bytes() == before


def test_malformed_bodies_never_500(api):
    client, _, _ = api
    for payload in ({}, {"filename": 3, "folder": []}, {"filename": "a.mp4"}):
        assert client.post("/api/sort", json=payload).status_code == 422
    assert (
        client.post(
            "/api/sort", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_video_file_with_range(api):
    client, settings, names = api
    data = (settings.data_dir / names[0]).read_bytes()
    full = client.get(f"/videos/{names[0]}")
    assert (
        full.status_code == 200
        and full.headers["content-type"] == "video/mp4"
        and full.content == data
    )
    part = client.get(f"/videos/{names[0]}", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == data[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    sorted_name = Library(settings).scan().categories["fire"][0]
    assert (
        client.get(f"/videos/{sorted_name}").content
        == (settings.data_dir / "fire" / sorted_name).read_bytes()
    )


def test_video_errors_and_traversal(api, tmp_path):
    client, settings, _ = api
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"secret")
    os.symlink(outside, settings.data_dir / "7555555555555555.mp4")
    (settings.data_dir / "7666666666666666.mp4").mkdir()
    assert client.get("/videos/7555555555555555.mp4").status_code == 404
    assert client.get("/videos/7666666666666666.mp4").status_code == 404
    assert client.get("/videos/7999999999999999.mp4").status_code == 404
    assert client.get("/videos/" + "x" * 5000 + ".mp4").status_code == 400
    assert client.get("/videos/..%2F..%2Fetc%2Fpasswd").status_code in (400, 404)
    assert client.get("/videos/.hidden.mp4").status_code == 400
    assert (
        client.post(
            "/api/sort", json={"filename": "7555555555555555.mp4", "folder": "sea"}
        ).status_code
        == 404
    )
    assert outside.read_bytes() == b"secret"


def test_documented_pattern_rejects_non_ascii_digits(library_factory, serve):
    settings = library_factory({"sea": 1}, unsorted=1, name_pattern=DOCUMENTED_NAME_PATTERN)
    with serve(settings).client() as client:
        for name in ("٣٤٥.mp4", "７２３.mp4", "123.MP4", "123.mov"):
            assert client.get(f"/videos/{name}").status_code == 400
            assert (
                client.post("/api/sort", json={"filename": name, "folder": "sea"}).status_code
                == 400
            )


def test_twenty_concurrent_sorts_one_winner(api):
    client, settings, names = api
    target = names[1]
    data = (settings.data_dir / target).read_bytes()

    def attempt(i: int) -> int:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as c:
            return c.post(
                "/api/sort", json={"filename": target, "folder": ["sea", "fire"][i % 2]}
            ).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(attempt, range(20)))
    assert codes.count(200) == 1 and all(c in (200, 404, 409) for c in codes), codes
    copies = [
        p
        for p in (settings.data_dir, settings.data_dir / "sea", settings.data_dir / "fire")
        if (p / target).exists()
    ]
    assert len(copies) == 1
    assert (
        hashlib.sha256((copies[0] / target).read_bytes()).digest() == hashlib.sha256(data).digest()
    )


def test_additions_undo_create_folder_metrics(api):
    client, settings, names = api
    client.post("/api/sort", json={"filename": names[0], "folder": "sea"})
    undone = client.post("/api/undo")
    assert undone.status_code == 200 and undone.json()["undone"] == [
        {"filename": names[0], "folder": "sea"}
    ]
    assert (settings.data_dir / names[0]).exists()
    assert client.post("/api/undo").status_code == 409
    created = client.post("/api/folders", json={"name": "beach"})
    assert created.status_code == 201 and created.json() == {
        "name": "beach",
        "count": 0,
        "key": "4",
    }
    assert client.post("/api/folders", json={"name": "beach"}).status_code == 409
    assert client.post("/api/folders", json={"name": "../x"}).status_code == 400
    assert client.get("/api/metrics").status_code == 404  # no training yet
    schema = client.get("/openapi.json").json()
    assert {
        "/api/videos",
        "/api/folders",
        "/api/sort",
        "/api/retrain",
        "/api/retrain/status",
        "/videos/{filename}",
        "/api/undo",
        "/api/metrics",
    } <= set(schema["paths"])


def test_undo_can_skip_a_sort_whose_name_is_taken_again(library_factory, serve):
    settings = library_factory({"sea": 1}, unsorted=2)
    first, second = Library(settings).unsorted()
    with serve(settings).client() as client:
        for name in (first, second):
            client.post("/api/sort", json={"filename": name, "folder": "sea"})
        (settings.data_dir / second).write_bytes(b"taken")
        refused = client.post("/api/undo")
        assert refused.status_code == 409 and "skip_blocked" in refused.json()["detail"]
        skipped = client.post("/api/undo", json={"skip_blocked": True})
        assert skipped.status_code == 200, skipped.text
        body = skipped.json()
        assert body["undone"] == [{"filename": first, "folder": "sea"}]
        assert body["skipped"] == [{"filename": second, "folder": "sea"}]
        assert client.post("/api/undo").status_code == 409  # nothing left to undo


def test_a_folder_named_like_a_video_is_refused_everywhere(api):
    client, settings, names = api
    created = client.post("/api/folders", json={"name": "9999.mp4"})
    assert created.status_code == 400 and "named like a video" in created.json()["detail"]
    assert not (settings.data_dir / "9999.mp4").exists()
    (settings.data_dir / "9999.mp4").mkdir()  # made by another program
    sort = client.post("/api/sort", json={"filename": names[0], "folder": "9999.mp4"})
    assert sort.status_code == 400 and (settings.data_dir / names[0]).exists()
    assert "9999.mp4" not in {f["name"] for f in client.get("/api/folders").json()["folders"]}
