"""Feature extraction speed: cold, warm, after a sort; against the ffmpeg + onnxruntime floor.

Clips (generated once into bench/.work/clips with ffmpeg's synthetic sources):
  20 long vertical H.264 clips (10 at 720x1280, 10 at 1080x1920), 15-45 s, a keyframe every
  2-4 s; and 200 short 540x960 clips of 4 s at 30 fps, two thirds with a keyframe every second
  (as phones record), one third with x264's default (one keyframe: decoded in order).
Floor, on the same files with the same parallelism (2 processes), per video:
  ffmpeg -discard nokey -skip_frame nokey -i F -vsync vfr -vf scale=-2:S -pix_fmt bgr24 -f rawvideo -
  then onnxruntime running the same network (one thread) on 8 of those frames, where S is the
  network's input size (embedder.CROP, the sampler's short side).
Ours does all that plus the classical descriptor. Targets: cold <= 1.3x the floor; warm
<= 5% of cold; a sort then a rerun decodes nothing.  Run: python -m bench.extract_speed
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from bench.common import WORK, report
from pipeline.features.embedder import CROP, Embedder, normalise, prepare
from pipeline.features.extract import run
from pipeline.video_refs import library_videos
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library

SOURCES = ["testsrc2", "mandelbrot", "life", "cellauto", "smptehdbars"]
JOBS = 2
LONG, SHORT = 20, 200
Clip = tuple[Path, int, int]  # path, width, height


def _encode(path: Path, source: str, seconds: int, gop: int | None) -> None:
    if path.exists():
        return
    keys = ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0"] if gop else []
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds),
         "-c:v", "libx264", "-preset", "ultrafast", *keys, "-pix_fmt", "yuv420p",
         str(path.with_suffix(".part.mp4"))],
        check=True,
    )  # fmt: skip
    path.with_suffix(".part.mp4").rename(path)


def make_clips(folder: Path) -> list[Clip]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    clips: list[Clip] = []
    for i in range(LONG):
        w, h = (720, 1280) if i % 2 == 0 else (1080, 1920)
        seconds, gop = rng.randint(15, 45), rng.choice([2, 3, 4])
        path = folder / f"{7900000000000000 + i}.mp4"
        _encode(path, f"{SOURCES[i % len(SOURCES)]}=size={w}x{h}:rate=30", seconds, gop * 30)
        clips.append((path, w, h))
    for i in range(SHORT):
        path = folder / f"{7910000000000000 + i}.mp4"
        source = f"{SOURCES[i % len(SOURCES)]}=size=540x960:rate=30"
        _encode(path, source, 4, None if i % 3 == 0 else 30)
        clips.append((path, 540, 960))
    return clips


def _floor(clip: Clip) -> int:
    """ffmpeg's keyframes, then the network on 8 of them (CROP x CROP, as our crops)."""
    path, w, h = clip
    out = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-discard", "nokey", "-skip_frame", "nokey", "-i", str(path),
         "-vsync", "vfr", "-vf", f"scale=-2:{CROP}", "-pix_fmt", "bgr24", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    width = round(w * CROP / h / 2) * 2
    frames = np.frombuffer(out.stdout, np.uint8).reshape(-1, CROP, width, 3)
    pick = np.linspace(0, len(frames) - 1, 8).round().astype(int)  # repeats when fewer than 8
    batch = np.stack([cv2.resize(frames[i], (CROP, CROP)) for i in pick])
    Embedder.load(_MODEL, _SHA256).run(normalise(batch))
    return len(frames)


_MODEL = WORK / "floor-artifacts"
_SHA256 = ""  # the graph's, as prepare verified it (workers check it before loading)


def timed_pool(func, items: list) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    with ProcessPoolExecutor(JOBS) as pool:
        list(pool.map(func, items, chunksize=4))
    return time.perf_counter() - start


def main() -> None:
    global _MODEL, _SHA256
    clips = make_clips(WORK / "clips")
    plan = prepare(WORK / "floor-artifacts")
    _MODEL, _SHA256 = plan.model_path, plan.model_sha256  # type: ignore[assignment]
    assert _MODEL is not None
    library = WORK / "library"
    shutil.rmtree(library, ignore_errors=True)
    (library / "videos" / "a").mkdir(parents=True)
    for path, _, _ in clips:
        os.link(path, library / "videos" / path.name)
    settings = Settings.load(
        {"data_dir": library / "videos", "artifacts_dir": library / "art", "model": {"jobs": JOBS}},
        environ={},
    )
    prepare(settings.artifacts_dir)  # the graph is built once per artifacts folder, not timed
    print(f"{LONG} long + {SHORT} short clips, {JOBS} processes; one run each "
          "(a cold run cannot repeat)")  # fmt: skip
    floor = timed_pool(_floor, clips)
    start = time.perf_counter()
    cold_result = run(settings, library_videos(settings))
    cold = time.perf_counter() - start
    assert cold_result.decoded == len(clips) and not cold_result.skipped, cold_result.skipped
    assert cold_result.embedder.model_path is not None, cold_result.embedder.reason
    start = time.perf_counter()
    warm_result = run(settings, library_videos(settings))
    warm = time.perf_counter() - start
    Library(settings).sort(clips[0][0].name, "a")
    after_sort = run(settings, library_videos(settings))
    report("cold extraction vs ffmpeg keyframes + onnxruntime on 8 frames", cold * 1000,
           floor * 1000, "<= 1.3")  # fmt: skip
    report("warm re-extraction vs cold", warm * 1000, cold * 1000, "<= 0.05")
    print(f"after sorting one video: {after_sort.decoded} decoded (target 0), "
          f"{warm_result.decoded} on the warm run")  # fmt: skip
    n = len(clips)
    print(f"per video: cold {cold / n * 1000:.0f} ms, floor {floor / n * 1000:.0f} ms "
          f"(wall time over {JOBS} processes)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
