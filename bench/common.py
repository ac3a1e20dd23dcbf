"""Small helpers shared by the benchmarks: medians of repeated timings and a ratio line."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

WORK = Path(__file__).resolve().parent / ".work"


def timings(func: Callable[[], object], repeat: int = 7, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        func()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def paired_timings(
    subject: Callable[[], object], baseline: Callable[[], object], repeat: int = 21
) -> tuple[list[float], list[float]]:
    """Alternate the two, so drift in the machine's speed falls on both alike."""
    subject(), baseline()
    pairs = [(timings(subject, 1, 0)[0], timings(baseline, 1, 0)[0]) for _ in range(repeat)]
    return [s for s, _ in pairs], [b for _, b in pairs]


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def report(name: str, measured: float, baseline: float, target: str, unit: str = "ms") -> float:
    """Print one benchmark line; returns measured/baseline."""
    ratio = measured / baseline if baseline else float("inf")
    print(f"{name}: {measured:.2f} {unit} vs baseline {baseline:.2f} {unit}", end=" ")
    print(f"-> ratio {ratio:.2f} (target {target})")
    return ratio


def serve_app(app: ASGIApp) -> tuple[uvicorn.Server, threading.Thread, int]:
    """``app`` on a real uvicorn on 127.0.0.1 (a free port), in a thread; returns at start."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, port
