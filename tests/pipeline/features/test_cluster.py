"""--cluster: feature extraction on a real Dask cluster (2 worker processes) gives the same
features and cache rows as a local run; an unreachable scheduler is a clear error."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from distributed import LocalCluster

from pipeline.features import extract as extract_features
from pipeline.video_refs import library_videos
from tests.live_server import free_port
from vidsort_tui.core import artifacts

TABLES = {
    "features": "SELECT name, size, mtime_ns, version, global, local, local_rows, error "
    "FROM features ORDER BY name",
    "embeddings": "SELECT name, size, mtime_ns, version, vector FROM embeddings ORDER BY name",
}


def rows(path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(query).fetchall() for table, query in TABLES.items()}
    finally:
        db.close()


def test_extraction_on_a_dask_cluster_matches_a_local_run(library_factory, tmp_path):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    (settings.data_dir / "broken.mp4").write_bytes(b"not a video")  # skip reasons match too
    local = extract_features.run(settings, library_videos(settings))
    local_rows = rows(settings.artifacts_dir / artifacts.FEATURES)
    assert local.decoded == 7 and len(local_rows["embeddings"]) == 6
    elsewhere = tmp_path / "cluster-artifacts"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        on_cluster = settings.with_changes(
            artifacts_dir=elsewhere, model={"dask_scheduler": cluster.scheduler_address}
        )
        remote = extract_features.run(on_cluster, library_videos(on_cluster))
        done = [t.key for t in cluster.scheduler.transition_log if t.finish == "memory"]
    assert any("_describe_file" in str(key) for key in done), done  # the workers decoded
    assert remote.decoded == 7 and remote.skipped == local.skipped
    for rel, features in local.features.items():
        other = remote.features[rel]
        assert features.global_.tobytes() == other.global_.tobytes()
        assert features.local.tobytes() == other.local.tobytes()
        assert features.embedding.tobytes() == other.embedding.tobytes()
    assert rows(elsewhere / artifacts.FEATURES) == local_rows


def test_an_unreachable_scheduler_is_a_clear_error_and_changes_nothing(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    before = sorted(str(p.relative_to(settings.data_dir)) for p in settings.data_dir.rglob("*"))
    done = subprocess.run(
        [sys.executable, "-m", "vidsort_tui.cli", "--retrain", "--cluster", address,
         "--data", str(settings.data_dir), "--artifacts", str(settings.artifacts_dir)],
        capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("VIDSORT_")},
    )  # fmt: skip
    said = " ".join((done.stdout + done.stderr).split())  # the console wraps long lines
    assert done.returncode == 1, said
    assert f"cannot reach the Dask scheduler at {address}" in said
    assert "dask scheduler" in said and "Traceback" not in said
    assert rows(settings.artifacts_dir / artifacts.FEATURES)["features"] == []
    assert not (settings.artifacts_dir / artifacts.MODEL).exists()
    assert (
        sorted(str(p.relative_to(settings.data_dir)) for p in settings.data_dir.rglob("*"))
        == before
    )


def test_without_dask_installed_the_error_says_how_to_get_it(tmp_path):
    blocker = tmp_path / "no_dask"
    blocker.mkdir()
    (blocker / "distributed.py").write_text("raise ImportError('not installed')\n")
    code = (
        "from pipeline.features.cluster import on_cluster\n"
        "from pipeline.stage_errors import StageError\n"
        "try:\n    on_cluster('tcp://127.0.0.1:1').__enter__()\n"
        "except StageError as e:\n    print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "pip install 'vidsort-tui[dask]'" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("bad", ["localhost", "tcp://host", "http://h:1", "tcp://h:1/x"])
def test_a_scheduler_that_is_not_an_address_is_refused_at_start(bad, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "vidsort_tui.cli", "--retrain", "--cluster", bad,
         "--data", str(tmp_path), "--artifacts", str(tmp_path / "a")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "not an address like tcp://HOST:PORT" in done.stderr
    assert "Traceback" not in done.stderr
    shutil.rmtree(tmp_path / "a", ignore_errors=True)


def _decoded_on(cluster) -> list[str]:
    return [str(t.key) for t in cluster.scheduler.transition_log
            if t.finish == "memory" and "_describe_file" in str(t.key)]  # fmt: skip


def test_a_one_thread_cluster_does_the_work_and_says_how_small_it_is(library_factory):
    """joblib ran a one-thread cluster's work in this process, quietly."""
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        # jobs is capped at this machine's cores (Settings), so ask for every one of them
        asked = settings.with_changes(
            model={"dask_scheduler": cluster.scheduler_address, "jobs": -1}
        )
        result = extract_features.run(asked, library_videos(asked))
        decoded = _decoded_on(cluster)
    assert len(decoded) == 5 and result.decoded == 5 and not result.skipped
    said = result.cluster
    assert said.startswith(f"extracted on the Dask cluster at {cluster.scheduler_address}")
    assert asked.model.jobs >= 2, "this test needs a machine with two cores or more"
    assert f"1 worker, 1 thread (fewer than the {asked.model.jobs} jobs asked: 1 at a time)" in said
    assert said in result.notes()


def test_a_bad_result_from_a_worker_costs_that_video_not_the_retrain(library_factory, monkeypatch):
    """A worker of another version (or a broken one) answering with something that is not
    features: an AttributeError mid-retrain before; now that video is skipped, uncached."""
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    real = extract_features._describe_file
    names = sorted(p.name for p in settings.data_dir.rglob("*.mp4"))
    bad = {names[0]: "dict", names[1]: "short", names[2]: "nan"}

    def broken_worker(path, *args):  # runs on the worker (cloudpickle sends it by value)
        value = real(path, *args)
        kind = bad.get(path.rsplit("/", 1)[-1])
        if kind == "dict":
            return {"global_": value.global_}
        if kind == "short":
            value.global_ = value.global_[:10]
        if kind == "nan":
            value.embedding = np.full_like(value.embedding, np.nan)
        return value

    monkeypatch.setattr(extract_features, "_describe_file", broken_worker)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        remote = settings.with_changes(model={"dask_scheduler": cluster.scheduler_address})
        result = extract_features.run(remote, library_videos(remote))
    by_name = {rel.rsplit("/", 1)[-1]: why for rel, why in result.skipped.items()}
    assert set(by_name) == set(bad)
    assert "dict instead of features" in by_name[names[0]]
    assert "global descriptor: float32 (10,), not float32 (744,)" in by_name[names[1]]
    assert "embedding: not finite" in by_name[names[2]]
    assert len(result.features) == 5
    monkeypatch.undo()
    again = extract_features.run(
        settings, library_videos(settings)
    )  # never cached: extracted here next time
    assert not again.skipped and again.decoded == 3 and len(again.features) == 8
