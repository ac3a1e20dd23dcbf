"""Artifacts vidsort wrote are input too: someone with write access to the artifacts folder
can replace any of them. A crafted model runs nothing, a damaged cache heals, a swapped
embedder graph is noticed and rebuilt, and a decompression bomb stays small (issue 19)."""

from __future__ import annotations

import os
import pickle
import subprocess

import pytest

from pipeline.model import load
from vidsort_tui.core import artifacts
from vidsort_tui.services import jobs, retrain
from vidsort_tui.services.learning import refit_now


class RunsCode:
    """Unpickling this creates a directory: proof that a loader ran code from the file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (self.path,))


def test_a_pickled_model_runs_nothing_and_the_next_retrain_replaces_it(library_factory, tmp_path):
    """The refit after the 5th sort used to unpickle model.joblib: the marker appeared."""
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    marker = tmp_path / "the-pickle-ran"
    legacy = settings.artifacts_dir / artifacts.LEGACY_MODEL
    legacy.write_bytes(pickle.dumps(RunsCode(str(marker))))
    (settings.artifacts_dir / artifacts.MODEL).write_bytes(pickle.dumps(RunsCode(str(marker))))
    assert refit_now(settings) is None  # a real refit child: "no model", nothing run
    assert not marker.exists() and not jobs.is_locked(settings.artifacts_dir)
    assert load(settings.artifacts_dir) is None

    assert retrain.run(settings).ok  # the app carries on: a retrain writes the new format
    assert not legacy.exists() and load(settings.artifacts_dir) is not None
    outcome = refit_now(settings)
    assert outcome is not None and outcome["videos"] == 6
    assert not marker.exists()


def test_a_model_that_is_a_fifo_never_hangs_the_refit_child(library_factory):
    """A FIFO in the model's place used to hang the refit child forever, holding the lock."""
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    os.mkfifo(settings.artifacts_dir / artifacts.MODEL)
    os.mkfifo(settings.artifacts_dir / artifacts.LEGACY_MODEL)
    child = jobs.start_refit(settings)
    assert child is not None
    try:
        output, _ = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, 9)
        pytest.fail("the refit child hung on a FIFO")
    assert jobs.refit_outcome(output) is None
    assert not jobs.is_locked(settings.artifacts_dir)
