"""Retrain over HTTP: started -> already_running -> status -> new predictions, in every worker."""

from __future__ import annotations

import time

import httpx

from vidsort_tui.core.library import Library


def wait_idle(client: httpx.Client, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get("/api/retrain/status").json()
        if not status["running"]:
            return status
        time.sleep(0.2)
    raise AssertionError("retrain did not finish")


def test_retrain_flow_and_new_predictions_in_every_worker(library_factory, serve):
    settings = library_factory({"fire": 3, "sea": 3}, unsorted=3)
    server = serve(settings, workers=4)
    with server.client() as client:
        assert client.get("/api/retrain/status").json() == {"running": False, "last_result": None}
        assert all(
            v["predicted_folder"] is None for v in client.get("/api/videos").json()["videos"]
        )
        assert client.post("/api/retrain").json() == {"status": "started"}
        assert client.post("/api/retrain").json() == {"status": "already_running"}
        seen: dict[str, set[bool]] = {}
        while True:
            response = client.get("/api/retrain/status", headers={"Connection": "close"})
            body = response.json()
            assert set(body) == {"running", "last_result"}
            seen.setdefault(response.headers["x-vidsort-worker"], set()).add(body["running"])
            if not body["running"]:
                break
            time.sleep(0.05)
        assert body["last_result"] == "success"
        answers = {}
        for _ in range(40):  # new connections spread over the workers
            with httpx.Client(base_url=server.url, timeout=10) as fresh:
                response = fresh.get("/api/videos")
                answers[response.headers["x-vidsort-worker"]] = response.json()
                assert fresh.get("/api/retrain/status").json() == {
                    "running": False,
                    "last_result": "success",
                }
        assert len(answers) >= 2, "requests should reach more than one worker"
        unsorted = set(Library(settings).unsorted())
        for body in answers.values():
            assert {v["filename"] for v in body["videos"]} == unsorted
            assert all(v["predicted_folder"] in {"fire", "sea"} for v in body["videos"])
        metrics = client.get("/api/metrics").json()
        assert 0 <= metrics["top1"] <= 1


def test_a_failed_retrain_reports_the_documented_string(library_factory, serve):
    settings = library_factory({"fire": 3}, unsorted=1)
    with serve(settings).client() as client:
        assert client.post("/api/retrain").json() == {"status": "started"}
        status = wait_idle(client)
        assert status["last_result"].startswith("Failed at train.py: ")
