"""The whole retrain: documented last_result strings, one at a time, SIGKILL, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from pipeline.model import train
from pipeline.model.trained_model import load
from tests.conftest import realclips_dir, wait_until
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.core.similarity_store import load_similarity
from vidsort_tui.demo.scenes import SCENE_NAMES
from vidsort_tui.services import job_lock, job_status, jobs, retrain


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_success_and_failure_strings(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    assert job_status.read_status(settings.artifacts_dir).to_api() == {
        "running": False,
        "last_result": None,
    }
    result = retrain.run(settings)
    assert result.ok and result.last_result == "success"
    assert job_status.read_status(settings.artifacts_dir).to_api() == {
        "running": False,
        "last_result": "success",
    }
    for name in os.listdir(settings.data_dir / "fire"):
        os.unlink(settings.data_dir / "fire" / name)
    failed = retrain.run(settings)
    assert not failed.ok
    assert failed.last_result.startswith("Failed at train.py: need at least two folders")
    assert job_status.read_status(settings.artifacts_dir).last_result == failed.last_result


def test_one_retrain_at_a_time(library_factory):
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=4)
    assert jobs.start_background(settings) == "started"
    assert jobs.start_background(settings) == "already_running"
    with pytest.raises(retrain.RetrainBusy):
        retrain.run(settings)
    assert job_status.read_status(settings.artifacts_dir).running
    # The child says it is done just before it exits and the kernel drops its lock.
    wait_until(lambda: not job_lock.is_locked(settings.artifacts_dir), 120)
    assert job_status.read_status(settings.artifacts_dir).last_result == "success"
    assert jobs.start_background(settings) == "started"
    wait_until(lambda: not job_status.read_status(settings.artifacts_dir).running, 120)


def test_the_lock_survives_a_process_whose_stdin_is_closed(library_factory):
    """With fd 0 closed, the lock's fd would be 0, and the child's stdin would replace it."""
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    saved = os.dup(0)
    os.close(0)
    try:
        assert jobs.start_background(settings) == "started"
        assert jobs.start_background(settings) == "already_running"
    finally:
        os.dup2(saved, 0)
        os.close(saved)
    wait_until(lambda: not job_status.read_status(settings.artifacts_dir).running, 120)
    assert job_status.read_status(settings.artifacts_dir).last_result == "success"


def test_sigkill_mid_retrain_keeps_the_last_model_and_the_next_retrain_works(
    library_factory, clip_factory
):
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    assert retrain.run(settings).ok
    model, predictions = (
        settings.artifacts_dir / "model.npz",
        settings.artifacts_dir / "predictions.json",
    )
    before = digest(model), digest(predictions)
    # New, longer videos so the next extraction takes a while.
    import shutil

    for i in range(10):
        shutil.copyfile(
            clip_factory("snow", seed=50 + i, seconds=6.0, size=(360, 640)),
            settings.data_dir / f"{7400000000000000 + i}.mp4",
        )
    assert jobs.start_background(settings) == "started"
    wait_until(lambda: job_status.read_status(settings.artifacts_dir).done > 0, 60)
    pid = job_status.read_status(settings.artifacts_dir).pid
    os.killpg(os.getpgid(pid), signal.SIGKILL)
    wait_until(lambda: not job_status.read_status(settings.artifacts_dir).running, 10)
    status = job_status.read_status(settings.artifacts_dir)
    assert status.last_result.startswith("Failed at extract_features.py:")
    assert (digest(model), digest(predictions)) == before
    assert load(settings.artifacts_dir) is not None
    assert PredictionStore(settings.artifacts_dir).snapshot()
    assert retrain.run(settings).ok  # no stale lock; the partial cache is reused
    assert len(PredictionStore(settings.artifacts_dir).snapshot()) == 12


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vidsort_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_retrain_command_exit_codes_and_summary(library_factory, tmp_path):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    args = [
        "--retrain",
        "--data",
        str(settings.data_dir),
        "--artifacts",
        str(settings.artifacts_dir),
    ]
    ok = run_cli(*args)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Done:" in ok.stdout and "6 videos, 0 skipped" in ok.stdout and "top-1" in ok.stdout
    assert "features: content+classical" in ok.stdout
    for name in os.listdir(settings.data_dir / "sea"):
        os.unlink(settings.data_dir / "sea" / name)
    failed = run_cli(*args)
    assert failed.returncode == 1 and "Failed at train.py" in failed.stdout
    missing = run_cli(
        "--retrain", "--data", str(tmp_path / "none"), "--artifacts", str(tmp_path / "a")
    )
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_without_the_embedder_it_trains_on_classical_features_and_says_why(library_factory):
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    args = [
        "--retrain",
        "--data",
        str(settings.data_dir),
        "--artifacts",
        str(settings.artifacts_dir),
    ]
    done = run_cli(*args, env={"VIDSORT_EMBEDDER": "off"})
    assert done.returncode == 0, done.stdout + done.stderr
    why = "classical (content embedder turned off (VIDSORT_EMBEDDER=off))"
    assert f"features: {why}" in " ".join(done.stdout.split())
    metrics = json.loads((settings.artifacts_dir / "metrics.json").read_text())
    assert metrics["feature_set"] == why and metrics["model"] in train.candidates(1)
    assert load(settings.artifacts_dir).content is False
    assert set(PredictionStore(settings.artifacts_dir).snapshot()) == set(
        Library(settings).unsorted()
    )
    assert not list(settings.artifacts_dir.glob("*.onnx"))  # the embedder was never built
    # Turned back on, the next retrain adds the embeddings (the classical parts are cached).
    assert run_cli(*args).returncode == 0
    metrics = json.loads((settings.artifacts_dir / "metrics.json").read_text())
    assert metrics["feature_set"] == "content+classical"


def test_every_stage_is_in_the_status_file_while_it_runs(library_factory):
    """What a reader (the TUI, the page) sees at each step is the step that runs: not
    "extracting features 3/3" while the model trains."""
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    seen: list[tuple[str, str | None, int, int]] = []

    def look(event: job_status.ProgressEvent) -> None:
        status = job_status.read_status(settings.artifacts_dir)
        seen.append((event.stage, status.stage, status.done, status.total))

    assert retrain.run(settings, look).ok
    assert all(stage == written for stage, written, *_ in seen), seen
    stages = [s for s, *_ in seen]
    assert stages.index("train.py") < stages.index("predict.py")
    assert ("train.py", "train.py", 0, 1) in seen and ("predict.py", "predict.py", 0, 1) in seen
    assert seen[stages.index("train.py") - 1][2:] == (5, 5)  # extraction counted every video


def test_a_first_run_with_no_folders_suggests_look_alike_groups_and_succeeds(library_factory):
    """The commonest first run: a flat folder of saved videos. Extraction and grouping run
    without a model; the retrain succeeds (the documented last_result stays "success"), says
    how many groups it suggests, and writes them, each offered as a new folder."""
    settings = library_factory({}, unsorted=24)  # four clips of each of the six scenes
    scene = {f"{7100000000000000 + k}.mp4": SCENE_NAMES[k % len(SCENE_NAMES)] for k in range(24)}
    result = retrain.run(settings)
    assert result.ok and result.last_result == "success", result.last_result
    groups = load_similarity(settings).groups
    assert groups and result.note == f"no folders yet: {len(groups)} look-alike groups suggested"
    for group in groups:
        assert group.new_kind and group.suggested_folder is None
        assert len({scene[n] for n in group.videos}) == 1, group  # pure
    assert sum(len(g.videos) for g in groups) >= 12
    status = job_status.read_status(settings.artifacts_dir)
    assert status.to_api() == {"running": False, "last_result": "success"}
    assert "no folders yet" in (status.message or "")
    assert PredictionStore(settings.artifacts_dir).snapshot() == {}
    assert load(settings.artifacts_dir) is None
    done = run_cli("--retrain", "--data", str(settings.data_dir),
                   "--artifacts", str(settings.artifacts_dir))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Done:" in done.stdout and "look-alike groups suggested" in done.stdout


def test_when_every_folder_is_emptied_the_old_model_goes(library_factory):
    """A model whose folders are gone would predict into them: without folders, the retrain
    leaves no model, no predictions and no metrics, and still succeeds."""
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    assert retrain.run(settings).ok and load(settings.artifacts_dir) is not None
    for folder in ("sea", "fire"):
        for name in os.listdir(settings.data_dir / folder):
            os.rename(settings.data_dir / folder / name, settings.data_dir / name)
    result = retrain.run(settings)
    assert result.ok and result.note.startswith("no folders yet")
    assert load(settings.artifacts_dir) is None
    assert not (settings.artifacts_dir / "metrics.json").exists()
    assert PredictionStore(settings.artifacts_dir).snapshot() == {}


def test_a_flat_root_of_real_clips_has_look_alikes(tmp_path):
    """../shared/realclips with no folders (20 clips of three kinds): the first run must not
    say "nothing looks alike"; a small root has groups of fewer than five."""
    data = tmp_path / "videos"
    data.mkdir()
    for k, clip in enumerate(sorted(realclips_dir().glob("*/*.mp4"))):
        shutil.copyfile(clip, data / f"{7_900_000_000_000_000 + k}.mp4")
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "a",
                              "model": {"auto_train": False}}, environ={})  # fmt: skip
    result = retrain.run(settings)
    assert result.ok and result.note.endswith("look-alike groups suggested"), result.note
    groups = load_similarity(settings).groups
    assert groups and all(g.new_kind and len(g.videos) >= 3 for g in groups)
