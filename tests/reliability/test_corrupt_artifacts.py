"""Artifact files are input: wrong types, a list for an object, NaN, special files in their
place -- a real server answers every request cleanly, never blocks, and still stops on
SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx
import pytest

from pipeline.features.embedder import EMBEDDING_VERSION, WEIGHTS_SHA256
from tests.conftest import wait_until
from tests.tui.conftest import predict_all
from vidsort_tui.core import artifacts
from vidsort_tui.core.errors import RetrainUnavailable
from vidsort_tui.core.library import Library
from vidsort_tui.services import job_lock, job_status, jobs


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
                 "similarity.json", "retrain.lock", "retrain.log"):  # fmt: skip
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
        refused = client.post("/api/retrain")  # the lock is not a file: said, not waited on
        assert refused.status_code == 503 and "retrain.lock" in refused.json()["detail"]
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        pytest.fail("the server did not stop on SIGTERM")


ARTIFACT_NAMES = sorted(
    {value for key, value in vars(artifacts).items() if key.isupper() and isinstance(value, str)}
    | {artifacts.embedder_graph(WEIGHTS_SHA256, EMBEDDING_VERSION), artifacts.JOURNAL + ".lock",
       artifacts.FEATURES + "-wal", artifacts.FEATURES + "-shm"}
)  # fmt: skip


def _in_a_child(code: str, timeout: float = 30) -> str:
    """Run ``code`` in a fresh interpreter; fail (not hang) if it does not end in time."""
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: {code}")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_fifo_in_place_of_every_artifact_never_hangs_a_job(library_factory):
    """A FIFO in the model's place used to hang the refit child forever holding retrain.lock;
    features.sqlite (or its -wal) as a FIFO hangs SQLite's first read. Every job now ends,
    and the lock and the status agree afterwards."""
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=1)
    art = settings.artifacts_dir
    for name in ARTIFACT_NAMES:
        if name not in (artifacts.RETRAIN_LOCK, artifacts.RETRAIN_LOG):
            (art / name).unlink(missing_ok=True)
            os.mkfifo(art / name)
    child = jobs.start_refit(settings)
    assert child is not None
    try:
        child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        pytest.fail("the refit child hung on a FIFO")
    assert jobs.start_background(settings) == "started"
    wait_until(lambda: not job_status.read_status(art).running, 300)
    status = job_status.read_status(art)
    assert status.last_result.startswith("Failed at extract_features.py: ")
    assert "features.sqlite" in status.last_result and "not a regular file" in status.last_result
    assert not job_lock.is_locked(art)

    for name in (artifacts.RETRAIN_LOCK, artifacts.RETRAIN_LOG):  # each alone
        (art / name).unlink(missing_ok=True)
        os.mkfifo(art / name)
        code = (f"from pathlib import Path; from vidsort_tui.services import job_status; "
                f"print(job_status.read_status(Path({str(art)!r})).running)")  # fmt: skip
        assert _in_a_child(code) == "False"
        with pytest.raises(RetrainUnavailable, match=name):
            jobs.start_background(settings)
        assert not job_lock.is_locked(art) and not job_status.read_status(art).running
        os.unlink(art / name)


def test_status_and_lock_agree_while_a_refit_holds_the_lock(library_factory):
    """A refit leaves the status file alone: a retrain asked for meanwhile was refused as
    "already running" while the status said nothing was running."""
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=1)
    art = settings.artifacts_dir
    fd = job_lock.try_lock(art)  # what a refit child holds
    try:
        status = job_status.read_status(art)
        assert status.running and status.stage == job_status.REFIT_STAGE
        assert (
            job_status.progress_text(status.stage, status.done, status.total)
            == "refitting after sorts…"
        )
        assert jobs.start_background(settings) == "already_running"
        assert jobs.start_refit(settings) is None
    finally:
        os.close(fd)
    status = job_status.read_status(art)
    assert not status.running and status.last_result is None


def test_a_stuck_job_child_ends_itself_and_frees_the_lock(library_factory, tmp_path):
    """Whatever a job child is stuck on (here a blocking open of a FIFO no one writes), it
    ends after its time limit and the kernel drops the lock with it."""
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=1)
    art = settings.artifacts_dir
    os.mkfifo(tmp_path / "nobody-writes")
    code = (f"from pathlib import Path; from vidsort_tui.services import job_lock, jobs\n"
            f"fd = job_lock.try_lock(Path({str(art)!r}))\njobs.end_after(1)\n"
            f"open({str(tmp_path / 'nobody-writes')!r}).read()\n")  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", code])
    wait_until(lambda: job_lock.is_locked(art), 30)
    assert job_status.read_status(art).running  # the lock and the status agree while it is stuck
    try:
        assert child.wait(30) == -signal.SIGALRM
    except subprocess.TimeoutExpired:
        child.kill()
        pytest.fail("the stuck child did not end itself")
    assert not job_lock.is_locked(art) and not job_status.read_status(art).running
