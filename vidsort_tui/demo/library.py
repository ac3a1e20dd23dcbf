"""The demo library: real vertical H.264 clips generated locally and deterministically.

Built in a temporary folder and renamed into place, so an interrupted generation never
leaves half a library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.demo.scenes import SCENE_NAMES

DEMO_CATEGORIES = SCENE_NAMES
SORTED_PER_CATEGORY = 10
UNSORTED = 30
SEED = 20261124


def _clip_name(label: str) -> str:
    """A 16-digit name like a saved social-media video (matches the documented pattern)."""
    digest = hashlib.sha256(f"{SEED}:{label}".encode()).hexdigest()
    return "7" + str(int(digest, 16))[:15] + ".mp4"


def demo_plan() -> list[tuple[str, ClipSpec]]:
    """(relative path, spec) for every demo clip, the same on every machine."""
    rng = np.random.default_rng(SEED)
    plan: list[tuple[str, ClipSpec]] = []
    for category in DEMO_CATEGORIES:
        for i in range(SORTED_PER_CATEGORY):
            spec = ClipSpec(category, float(rng.uniform(3, 6)), int(rng.integers(1 << 31)))
            plan.append((f"{category}/{_clip_name(f'{category}-{i}')}", spec))
    for i in range(UNSORTED):
        category = DEMO_CATEGORIES[i % len(DEMO_CATEGORIES)]
        spec = ClipSpec(category, float(rng.uniform(3, 6)), int(rng.integers(1 << 31)))
        plan.append((_clip_name(f"unsorted-{i}"), spec))
    return plan


def _write_one(args: tuple[Path, ClipSpec]) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    write_clip(*args)


def ensure_demo_library(
    data_dir: Path, jobs: int = 0, progress: Callable[[int, int], None] | None = None
) -> bool:
    """Generate the demo library at ``data_dir`` unless it exists. True if generated."""
    data_dir = Path(data_dir)
    if data_dir.is_dir():
        return False
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=data_dir.parent))
    try:
        plan = [(staging / rel, spec) for rel, spec in demo_plan()]
        for category in DEMO_CATEGORIES:
            (staging / category).mkdir()
        workers = jobs or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done, _ in enumerate(pool.map(_write_one, plan), start=1):
                if progress:
                    progress(done, len(plan))
        os.rename(staging, data_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return True
