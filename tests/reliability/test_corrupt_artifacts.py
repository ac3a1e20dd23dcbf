"""Artifact files are input: wrong types, a list for an object, NaN, special files in their
place -- a real server answers every request cleanly, never blocks, and still stops on
SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import httpx
import pytest

from tests.tui.conftest import predict_all
from vidsort_tui.core.library import Library


@pytest.fixture
def library(library_factory):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=2)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("sea", 0.9)})
    return settings, names


def _write(path, value) -> None:
    path.unlink(missing_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value))


def test_files_of_the_wrong_shape_give_clean_answers(library, serve):
    settings, names = library
    art = settings.artifacts_dir
    with serve(settings).client() as client:
        good = {"predicted_folder": "fire", "confidence": 0.7, "top_predictions": []}
        _write(art / "predictions.json", {names[0]: {"top_predictions": 5}, names[1]: good,
                                          "x.mp4": {"confidence": [1]}, "y.mp4": []})  # fmt: skip
        videos = client.get("/api/videos")
        assert videos.status_code == 200, videos.text
        assert [v["predicted_folder"] for v in videos.json()["videos"]] == [None, "fire"]

        for metrics in ([1, 2], {"top1": "high"}, {"top1": 7}, "[" * 100_000, "{"):
            _write(art / "metrics.json", metrics)
            response = client.get("/api/metrics")
            assert response.status_code == 404, response.text
            assert "metrics.json" in response.json()["detail"]
        _write(art / "metrics.json", '{"top1": NaN, "top3": 0.5, "reliability": [Infinity]}')
        assert client.get("/api/metrics").json() == {
            "top1": None, "top3": 0.5, "trained_at": None, "reliability": [None]
        }  # fmt: skip

        for status in ({"running": "yes", "last_result": 5}, {"done": "many"}, [1], "nul"):
            _write(art / "retrain_status.json", status)
            for path in ("/api/retrain/status", "/api/retrain/progress"):
                response = client.get(path)
                assert response.status_code == 200, response.text
                assert response.json()["running"] is False

        bad_names = {"version": 1, "lookalike_order": [names[1], "../up.mp4"],
                     "groups": [{"videos": [names[0], names[1]], "suggested_folder": "/etc",
                                 "similarity": 0.5}],
                     "duplicates": [{"videos": 5}]}  # fmt: skip
        for similarity in ([1], {"version": 1, "groups": "x"}, "[" * 100_000, "{", bad_names):
            _write(art / "similarity.json", similarity)
            for path in ("/api/groups", "/api/duplicates"):
                response = client.get(path)
                assert response.status_code == 200, response.text
                assert response.json() == {"groups": []}
            ordered = client.get("/api/videos?order=similar")
            assert ordered.status_code == 200, ordered.text

        client.post("/api/sort", json={"filename": names[1], "folder": "sea"})
        with open(art / "moves.jsonl", "ab") as journal:  # a newer line of the wrong types
            journal.write(
                b'{"id": 1, "op": "sort", "filename": 2, "src": [], "dst": {}, "at": "now"}\n'
            )
        undo = client.post("/api/undo")
        assert undo.status_code == 200, undo.text  # the bad line does not block undo
        assert undo.json()["undone"] == [{"filename": names[1], "folder": "sea"}]


@pytest.mark.parametrize("kind", ["fifo", "symlink to a fifo", "directory", "/dev/zero"])
def test_special_files_never_block_and_sigterm_still_stops_the_server(
    library, serve, tmp_path, kind
):
    settings, names = library
    art = settings.artifacts_dir
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for name in ("predictions.json", "metrics.json", "retrain_status.json", "moves.jsonl",
                 "similarity.json"):  # fmt: skip
        (art / name).unlink(missing_ok=True)
        if kind == "fifo":
            os.mkfifo(art / name)
        elif kind == "directory":
            (art / name).mkdir()
        else:
            (art / name).symlink_to(fifo if kind.endswith("fifo") else "/dev/zero")
    server = serve(settings)
    with httpx.Client(base_url=server.url, timeout=5) as client:
        videos = client.get("/api/videos")
        assert videos.status_code == 200
        assert all(v["predicted_folder"] is None for v in videos.json()["videos"])
        assert client.get("/api/metrics").status_code == 404
        for path in ("/api/groups", "/api/duplicates", "/api/videos?order=similar"):
            assert client.get(path).status_code == 200
        assert client.get("/api/retrain/status").json() == {"running": False, "last_result": None}
        assert client.post("/api/undo").status_code in (409, 503)
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        pytest.fail("the server did not stop on SIGTERM")
