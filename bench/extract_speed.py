"""Feature extraction speed: cold, warm, after a sort; against ffmpeg and OpenCV baselines.

Clips: 20 vertical H.264 clips (10 at 720x1280, 10 at 1080x1920), 15-45 s, a keyframe every
2-4 s, generated once into bench/.work/clips with ffmpeg's synthetic sources.
Baselines on the same files with the same parallelism (2 processes):
  ffmpeg -discard nokey -skip_frame nokey -i F -vsync vfr -vf scale=-2:224 -pix_fmt bgr24 -f rawvideo -
  OpenCV reading every frame.
Targets: cold <= 1.3x ffmpeg; >= 8x faster than OpenCV; warm <= 10% of cold; a sort then a
rerun decodes nothing.  Run: python -m bench.extract_speed
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

from bench.common import WORK, report
from pipeline.extract_features import run
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library

SOURCES = ["testsrc2", "mandelbrot", "life", "cellauto", "smptehdbars"]
JOBS = 2


def make_clips(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    clips = []
    for i in range(20):
        w, h = (720, 1280) if i % 2 == 0 else (1080, 1920)
        seconds, gop = rng.randint(15, 45), rng.choice([2, 3, 4])
        path = folder / f"{7900000000000000 + i}.mp4"
        clips.append(path)
        if path.exists():
            continue
        source = f"{SOURCES[i % len(SOURCES)]}=size={w}x{h}:rate=30"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds),
             "-c:v", "libx264", "-preset", "ultrafast", "-g", str(gop * 30), "-keyint_min", str(gop * 30),
             "-sc_threshold", "0", "-pix_fmt", "yuv420p", str(path.with_suffix(".part.mp4"))],
            check=True,
        )  # fmt: skip
        path.with_suffix(".part.mp4").rename(path)
    return clips


def _ffmpeg_keyframes(path: Path) -> int:
    out = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-discard", "nokey", "-skip_frame", "nokey", "-i", str(path),
         "-vsync", "vfr", "-vf", "scale=-2:224", "-pix_fmt", "bgr24", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return len(out.stdout)


def _opencv_every_frame(path: Path) -> int:
    import cv2

    cv2.setNumThreads(1)
    capture = cv2.VideoCapture(str(path))
    frames = 0
    while capture.grab():
        frames += 1
    capture.release()
    return frames


def timed_pool(func, clips: list[Path]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    with ProcessPoolExecutor(JOBS) as pool:
        list(pool.map(func, clips))
    return time.perf_counter() - start


def main() -> None:
    clips = make_clips(WORK / "clips")
    library = WORK / "library"
    shutil.rmtree(library, ignore_errors=True)
    (library / "videos" / "a").mkdir(parents=True)
    for clip in clips:
        os.link(clip, library / "videos" / clip.name)
    settings = Settings.load(
        {"data_dir": library / "videos", "artifacts_dir": library / "art", "jobs": JOBS}, environ={}
    )
    print(f"{len(clips)} clips, {JOBS} processes; one run each (the cold run cannot repeat)")
    ffmpeg = timed_pool(_ffmpeg_keyframes, clips)
    start = time.perf_counter()
    cold_result = run(settings)
    cold = time.perf_counter() - start
    assert cold_result.decoded == len(clips) and not cold_result.skipped, cold_result.skipped
    opencv = timed_pool(_opencv_every_frame, clips)
    start = time.perf_counter()
    warm_result = run(settings)
    warm = time.perf_counter() - start
    Library(settings).sort(clips[0].name, "a")
    after_sort = run(settings)
    report("cold extraction vs ffmpeg keyframes-only CLI", cold * 1000, ffmpeg * 1000, "<= 1.3")
    print(
        f"OpenCV reading every frame: {opencv:.2f} s -> ours is {opencv / cold:.1f}x faster (target >= 8x)"
    )
    report("warm re-extraction vs cold", warm * 1000, cold * 1000, "<= 0.10")
    print(
        f"after sorting one video: {after_sort.decoded} decoded (target 0), {warm_result.decoded} on the warm run"
    )
    print(
        f"per video: cold {cold / len(clips) * 1000:.0f} ms, ffmpeg {ffmpeg / len(clips) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
