"""Feature extraction on an existing Dask cluster (``--cluster`` / VIDSORT_DASK_SCHEDULER).

joblib's dask backend sends the same per-video function to the cluster's workers instead
of local processes; the results come back here and are cached here, so the cache is the
same as after a local run. The workers open the videos (and the embedder's ONNX graph in
the artifacts folder) by path: they must see both at the same paths as this machine, and
run the same vidsort installation. Dask is optional (``pip install 'vidsort-tui[dask]'``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import joblib

from pipeline.stage import StageError

#: how long to try to reach the scheduler before saying it cannot be reached
CONNECT_SECONDS = 10.0


@contextlib.contextmanager
def on_cluster(address: str, timeout: float = CONNECT_SECONDS) -> Iterator[int]:
    """Run joblib's Parallel on the cluster at ``address`` while inside; yields the number of
    worker threads. StageError, saying what to do, when Dask is missing or the scheduler
    cannot be reached (nothing has been extracted or changed then)."""
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
        threads = sum(client.nthreads().values())
        if not threads:
            raise StageError(f"the Dask scheduler at {address} has no workers: start one "
                             f"with `dask worker {address}`")  # fmt: skip
        with joblib.parallel_config(backend="dask", client=client):
            yield threads
    finally:
        client.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
