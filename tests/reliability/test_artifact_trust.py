"""Artifacts vidsort wrote are input too: someone with write access to the artifacts folder
can replace any of them. A crafted model runs nothing, a damaged cache heals, a swapped
embedder graph is noticed and rebuilt, and a decompression bomb stays small (issue 19)."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sqlite3
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from pipeline.features import extract as extract_features
from pipeline.features.descriptor import GLOBAL_WIDTH
from pipeline.features.embedder import Embedder, EmbedderUnavailable, prepare
from pipeline.model.trained_model import load
from pipeline.video_refs import library_videos
from vidsort_tui.core import artifacts
from vidsort_tui.services import job_lock, job_status, jobs, retrain
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
    assert not marker.exists() and not job_lock.is_locked(settings.artifacts_dir)
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
    assert not job_lock.is_locked(settings.artifacts_dir)


def _corrupt(db: sqlite3.Connection, table: str, name: str, **values: object) -> None:
    columns = ", ".join(f"{column} = ?" for column in values)
    changed = db.execute(f"UPDATE {table} SET {columns} WHERE name = ?", (*values.values(), name))
    assert changed.rowcount == 1, (table, name)


def test_damaged_cache_rows_are_dropped_re_extracted_and_counted(library_factory):
    """Each of these rows used to fail every retrain (or every refit) the same way, forever:
    "could not broadcast", "Input X contains NaN", a reshape to 10^12 rows, a skip reason
    that is not text."""
    settings = library_factory({"sea": 3, "fire": 3}, unsorted=2)
    assert retrain.run(settings).ok
    path = settings.artifacts_dir / artifacts.FEATURES
    db = sqlite3.connect(path, isolation_level=None)
    names = [n for (n,) in db.execute("SELECT name FROM features ORDER BY name")]
    nan = np.full(GLOBAL_WIDTH, np.nan, np.float32).tobytes()
    _corrupt(db, "features", names[0], **{"global": b"\0" * 400})
    _corrupt(db, "features", names[1], **{"global": nan})
    _corrupt(db, "features", names[2], local_rows=10**12)
    _corrupt(db, "features", names[3], local=np.full(480 * 8, np.inf, np.float16).tobytes(),
             local_rows=480)  # fmt: skip
    _corrupt(db, "features", names[4], **{"global": None}, error=b"\xff\xfe")
    _corrupt(db, "embeddings", names[5], vector=b"\0" * 12)
    _corrupt(db, "signatures", names[6], vector=np.array([5, 99], np.uint64).tobytes())
    db.close()

    healed = retrain.run(settings)
    assert healed.ok, healed.last_result
    assert "7 cached feature rows were damaged and re-extracted" in healed.notes
    message = job_status.read_status(settings.artifacts_dir).message
    assert "7 cached feature rows were damaged and re-extracted" in message
    assert healed.metrics["feature_set"] == "content+classical"  # every embedding came back
    again = retrain.run(settings)
    assert again.ok and again.notes == []
    assert "damaged" not in job_status.read_status(settings.artifacts_dir).message

    # The Fisher encodings refits reuse: the refit encodes those videos again.
    db = sqlite3.connect(path, isolation_level=None)
    _corrupt(db, "encoded", names[0], vector=b"\0" * 40)
    _corrupt(db, "encoded", names[1], vector=np.full(256, np.nan, np.float32).tobytes())
    db.close()
    outcome = refit_now(settings)
    assert outcome is not None and outcome["videos"] == 6
    db = sqlite3.connect(path)
    widths = {n: len(v) for n, v in db.execute("SELECT name, vector FROM encoded")}
    db.close()
    assert widths[names[0]] == widths[names[1]] == widths[names[2]]


NEIGHBOURS_IN_A_CHILD = """
import resource, sys
from pathlib import Path
import numpy as np
from pipeline.similarity.neighbours import cached_nearest, centred
x = centred(np.random.default_rng(0).normal(size=(300, 64)).astype(np.float32))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = cached_nearest(x, 10, -1.0, Path(sys.argv[1]))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
assert found.index.shape == (300, 10)
print(grown // 1024)
"""


def _bomb(path, member: str, shape: tuple[int, ...]) -> None:
    """An .npz whose ``member`` really inflates to ``shape`` int64 zeros (about 1000:1)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<i8", "fortran_order": False, "shape": shape}
    )
    zeros = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(f"{member}.npy", "w", force_zip64=True) as out,
    ):
        out.write(header.getvalue())
        for _ in range(int(np.prod(shape)) * 8 >> 20):
            out.write(zeros)


def test_a_neighbours_npz_bomb_is_refused_with_bounded_memory(tmp_path):
    """A 1 MB neighbours.npz declaring 1 GB: the retrain's memory grew by the gigabyte."""
    path = tmp_path / artifacts.NEIGHBOURS
    _bomb(path, "index", (131072, 1024))
    assert path.stat().st_size < 2 << 20
    done = subprocess.run([sys.executable, "-c", NEIGHBOURS_IN_A_CHILD, str(path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    grown_mb = int(done.stdout)
    assert grown_mb < 100, f"peak memory grew by {grown_mb} MB reading a hostile file"
    saved = np.load(path)  # replaced by the neighbours just computed (ours, so np.load is fine)
    assert saved["index"].shape == (300, 10)


def constant_graph() -> bytes:
    """A valid embedder graph that answers 0.5 for every embedding (the swap that was seen)."""
    scalar = {"value": 0.5, "zero": 0.0}
    nodes = [
        helper.make_node("Shape", ["image"], ["shape"]),
        helper.make_node("Slice", ["shape", "start", "stop"], ["n"]),
        helper.make_node("Concat", ["n", "width"], ["embedding_shape"], axis=0),
        helper.make_node("Concat", ["n", "classes"], ["logits_shape"], axis=0),
        helper.make_node("Expand", ["value", "embedding_shape"], ["embedding"]),
        helper.make_node("Expand", ["zero", "logits_shape"], ["logits"]),
    ]
    constants = [numpy_helper.from_array(np.array([v], np.float32), k) for k, v in scalar.items()]
    constants += [numpy_helper.from_array(np.array([v], np.int64), k)
                  for k, v in {"start": 0, "stop": 1, "width": 1280, "classes": 1000}.items()]  # fmt: skip
    graph = helper.make_graph(
        nodes, "swapped",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 3, 224, 224])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", 1280]),
         helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 1000])],
        constants,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    return model.SerializeToString()


def test_a_swapped_embedder_graph_is_noticed_and_rebuilt(library_factory):
    """A graph swapped in the artifacts folder was used unchecked: every embedding became 0.5
    and the summary still said content+classical."""
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    plan = prepare(settings.artifacts_dir)
    graph = plan.model_path
    assert graph is not None and len(plan.model_sha256) == 64
    swapped = constant_graph()
    graph.write_bytes(swapped)
    with pytest.raises(EmbedderUnavailable, match="sha256"):  # a worker given this run's plan
        Embedder.load(graph, plan.model_sha256)

    extracted = extract_features.run(settings, library_videos(settings))  # the next run rebuilds it
    assert hashlib.sha256(graph.read_bytes()).hexdigest() == plan.model_sha256
    assert extracted.embedder.feature_set == "content+classical"
    embeddings = np.stack([f.embedding for f in extracted.features.values()])
    assert len(embeddings) == 5 and not np.allclose(embeddings, 0.5)
    graph.unlink()
    graph.symlink_to(settings.artifacts_dir / "elsewhere.onnx")
    (settings.artifacts_dir / "elsewhere.onnx").write_bytes(swapped)
    assert prepare(settings.artifacts_dir).model_sha256 == plan.model_sha256
    assert not graph.is_symlink()  # a link in its place is replaced, never followed
