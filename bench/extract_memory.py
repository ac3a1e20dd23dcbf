"""Peak memory of extraction: one worker on big clips, and a whole retrain on a 1000-fps clip.

1. One extraction worker (a fresh process running what a worker runs, embedder included) on
   the biggest bench clip (1080x1920, H.264) and a short 540x960 one. Target: < 500 MB.
   Baseline in the same run: that process's peak after its imports, before any video.
2. A headless retrain (``--retrain --jobs 1``: extraction in the retrain's own process) on a
   library holding a 30-minute 1000-fps clip (1.8 million frames; ffmpeg's testsrc at 64x64)
   beside a few small labelled clips. Target: < 600 MB. Baseline: the same retrain without it.
Run: python -m bench.extract_memory   (after bench.extract_speed, which makes the clips)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.common import WORK, report
from vidsort_tui.demo.clips import ClipSpec, write_clip

THOUSAND = WORK / "thousand-fps-30min.mp4"
_WORKER = """
import resource, sys
from pathlib import Path
from pipeline.features.embedder import prepare
from pipeline.features.extract import _describe_file
plan = prepare(Path(sys.argv[1]))
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for clip in sys.argv[2:]:
    assert not isinstance(_describe_file(clip, 120.0, plan.model_path, None, plan.model_sha256), str)
print(idle, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _thousand_fps_clip() -> Path:
    if not THOUSAND.exists():  # about 3 minutes, once
        part = THOUSAND.with_suffix(".part.mp4")
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=1000",
             "-t", "1800", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(part)],
            check=True,
        )  # fmt: skip
        part.rename(THOUSAND)
    return THOUSAND


_PEAK_OF_CHILD = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
assert done.returncode == 0, done.stdout + done.stderr
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _retrain_peak_mb(data: Path) -> float:
    """Peak RSS of a --retrain process, measured by a parent that has no other child."""
    retrain = [sys.executable, "-m", "vidsort_tui.cli", "--retrain", "--jobs", "1",
               "--data", str(data), "--artifacts", str(data.parent / "art")]  # fmt: skip
    out = subprocess.run([sys.executable, "-c", _PEAK_OF_CHILD, *retrain], capture_output=True,
                         text=True, check=True)  # fmt: skip
    return int(out.stdout) / 1024


def main() -> None:
    clips = WORK / "clips"
    big, short = clips / "7900000000000001.mp4", clips / "7910000000000001.mp4"
    if not big.exists() or not short.exists():
        sys.exit("run python -m bench.extract_speed first (it makes the clips)")
    out = subprocess.run(
        [sys.executable, "-c", _WORKER, str(WORK / "memory-art"), str(big), str(short)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    idle, peak = (int(v) / 1024 for v in out.stdout.split())
    report("one extraction worker, peak RSS (1080x1920 + 540x960 clips)", peak, idle, "< 500 MB",
           unit="MB")  # fmt: skip

    root = WORK / "memory-retrain"
    shutil.rmtree(root, ignore_errors=True)
    data = root / "videos"
    for folder, scene in (("sea", "sea"), ("fire", "fire")):
        for k in range(2):
            write_clip(data / folder / f"{7800000000000000 + k}-{scene}.mp4",
                       ClipSpec(scene, 1.0, k, size=(90, 160)))  # fmt: skip
    baseline = _retrain_peak_mb(data)
    os.link(_thousand_fps_clip(), data / "7800000000009999.mp4")
    shutil.rmtree(root / "art")
    with_clip = _retrain_peak_mb(data)
    predicted = json.loads((root / "art" / "predictions.json").read_text())
    assert "7800000000009999.mp4" in predicted, "the 1000-fps clip was skipped, not extracted"
    report("retrain peak RSS with a 30-minute 1000-fps clip", with_clip, baseline, "< 600 MB",
           unit="MB")  # fmt: skip


if __name__ == "__main__":
    main()
