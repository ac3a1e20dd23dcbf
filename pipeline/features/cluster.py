"""Feature extraction on an existing Dask cluster (``--cluster`` / VIDSORT_DASK_SCHEDULER).

The same per-video function runs on the cluster's workers instead of local processes; the
results come back here and are cached here, so the cache is the same as after a local run.
The workers open the videos (and the embedder's ONNX graph in the artifacts folder, checked
against its sha256) by path: they must see both at the same paths as this machine, and run
the same vidsort installation. Dask is optional (``pip install 'vidsort-tui[dask]'``).

Trust: Dask moves pickles. The scheduler and every worker run code as the user who started
them and see every path they are sent; whoever can join the scheduler can run code inside
vidsort through the results it sends back. Use a cluster you control, on a private network
or with TLS (``distributed``'s security options): README ("Extraction on a Dask cluster").
Results are still checked by type and shape (``problem``), so a worker of another version
or a broken one costs that video, not the retrain. Work goes to the cluster through its
client directly, not joblib: joblib runs a one-thread cluster's work in this process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.features.cache import MAX_LOCAL_ROWS
from pipeline.features.descriptor import GLOBAL_WIDTH, LOCAL_WIDTH, VideoFeatures
from pipeline.features.embedder import EMBEDDING_WIDTH
from pipeline.features.signature import is_signature
from pipeline.stage_errors import StageError

#: how long to try to reach the scheduler before saying it cannot be reached
CONNECT_SECONDS = 10.0
#: a skip reason longer than this is cut
MAX_REASON_CHARS = 300


@dataclass
class Cluster:
    """A connected Dask client, and what the cluster had when it was reached."""

    address: str
    client: Any  # distributed.Client: untyped, typed stubs are not shipped
    workers: int
    threads: int

    def map(
        self, func: Callable[..., object], calls: Sequence[tuple[object, ...]]
    ) -> Iterator[object]:
        """``func(*call)`` for each call, on the workers, in order. StageError when a worker
        fails (its error's first line: often a worker without the same installation)."""
        futures = self.client.map(func, *zip(*calls, strict=True), pure=False) if calls else []
        try:
            for future in futures:
                try:
                    yield future.result()
                except Exception as exc:  # the worker's own exception, of any type
                    raise StageError(
                        f"a Dask worker failed ({type(exc).__name__}: {_first_line(exc)}); the "
                        "workers must run the same vidsort installation and see the same paths"
                    ) from None
        finally:
            self.client.cancel(futures)

    def describe(self, jobs: int) -> str:
        """Where extraction ran, for the summary; says so when fewer threads than ``jobs``."""
        workers, threads = _count(self.workers, "worker"), _count(self.threads, "thread")
        said = f"extracted on the Dask cluster at {self.address}: {workers}, {threads}"
        if jobs > self.threads:
            said += f" (fewer than the {jobs} jobs asked: {self.threads} at a time)"
        return said


@contextlib.contextmanager
def on_cluster(address: str, timeout: float = CONNECT_SECONDS) -> Iterator[Cluster]:
    """The cluster at ``address`` while inside. StageError, saying what to do, when Dask is
    missing or the scheduler cannot be reached or has no workers (nothing has been
    extracted or changed then)."""
    try:
        from distributed import Client
    except ImportError:  # the optional extra is not installed
        raise StageError(
            "--cluster needs Dask: pip install 'vidsort-tui[dask]' (here and on the workers)"
        ) from None
    try:
        connect: Any = Client  # untyped: typed stubs are not shipped
        client = connect(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise StageError(
            f"cannot reach the Dask scheduler at {address} ({_first_line(exc)}); start it "
            "with `dask scheduler` and workers with `dask worker <address>`, or run without "
            "--cluster. Nothing was extracted or changed"
        ) from None
    try:
        threads = client.nthreads()
        if not threads:
            raise StageError(f"the Dask scheduler at {address} has no workers: start one "
                             f"with `dask worker {address}`")  # fmt: skip
        yield Cluster(address, client, len(threads), sum(threads.values()))
    finally:
        client.close()


def problem(value: object, embedding: bool) -> str:
    """Why a worker's answer for one video is not what extraction expects ("" when it is):
    a skip reason (text), or VideoFeatures of the right types, shapes and finite values
    (with an embedding when ``embedding``)."""
    if isinstance(value, str):
        return "" if len(value) <= MAX_REASON_CHARS else "a skip reason too long to be one"
    if not isinstance(value, VideoFeatures):
        return f"{type(value).__name__} instead of features"
    parts = {
        "global descriptor": _vector(value.global_, np.float32, (GLOBAL_WIDTH,)),
        "local descriptors": _vector(value.local, np.float16, (None, LOCAL_WIDTH)),
    }
    if embedding or value.embedding is not None:
        parts["embedding"] = _vector(value.embedding, np.float32, (EMBEDDING_WIDTH,))
    if value.signature is not None and not (
        isinstance(value.signature, np.ndarray)
        and value.signature.dtype == np.uint64
        and is_signature(value.signature)
    ):
        parts["signature"] = "not a signature"
    if not parts["local descriptors"] and not 0 < len(value.local) <= MAX_LOCAL_ROWS:
        parts["local descriptors"] = f"{len(value.local)} rows"
    return "; ".join(f"{name}: {why}" for name, why in parts.items() if why)


def _vector(array: object, dtype: type[np.generic], shape: tuple[int | None, ...]) -> str:
    if not isinstance(array, np.ndarray):
        return f"{type(array).__name__}, not an array"
    if (
        array.dtype != dtype
        or len(array.shape) != len(shape)
        or any(
            want is not None and got != want for got, want in zip(array.shape, shape, strict=True)
        )
    ):
        return f"{array.dtype} {array.shape}, not {np.dtype(dtype)} {shape}"
    return "" if bool(np.isfinite(array).all()) else "not finite"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
