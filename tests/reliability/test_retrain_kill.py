"""SIGKILL the retrain process while its decoder workers keep running."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from pathlib import Path

from pipeline.model.trained_model import load
from tests.conftest import wait_until
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.services import job_status, jobs, retrain


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(text.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def test_killed_retrain_with_live_workers_then_a_good_retrain(library_factory, clip_factory):
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    assert retrain.run(settings).ok
    art = settings.artifacts_dir
    before = [
        hashlib.sha256((art / f).read_bytes()).hexdigest()
        for f in ("model.npz", "predictions.json")
    ]
    for i in range(10):
        shutil.copyfile(clip_factory("desert", seed=80 + i, seconds=4.0, size=(360, 640)),
                        settings.data_dir / f"{7800000000000000 + i}.mp4")  # fmt: skip
    assert jobs.start_background(settings) == "started"
    wait_until(lambda: job_status.read_status(art).done > 0, 60)
    pid = job_status.read_status(art).pid
    workers = []
    deadline = time.monotonic() + 10
    while not workers and time.monotonic() < deadline:
        workers = [w for c in children_of(pid) for w in [c, *children_of(c)]]
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)  # only the main process: its workers live on for a while
    alive = [w for w in workers if os.path.exists(f"/proc/{w}")]
    assert alive, "the decoder workers should outlive the killed retrain for this test"
    wait_until(lambda: not job_status.read_status(art).running, 10)
    assert job_status.read_status(art).last_result.startswith("Failed at extract_features.py:")
    after = [
        hashlib.sha256((art / f).read_bytes()).hexdigest()
        for f in ("model.npz", "predictions.json")
    ]
    assert after == before and load(art) is not None
    result = retrain.run(settings)  # while the orphaned workers may still be alive
    assert result.ok, result.last_result
    assert len(PredictionStore(art).snapshot()) == 12
