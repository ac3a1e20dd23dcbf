"""Real H.264 clips drawn from the procedural scenes: the demo library's and the tests'.

Written to a hidden temporary name and renamed into place, so a reader never sees half a clip.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from vidsort_tui.demo.scenes import SCENES, finish


@dataclass(frozen=True)
class ClipSpec:
    scene: str
    seconds: float
    seed: int
    size: tuple[int, int] = (360, 640)  # width, height: vertical like a phone
    fps: int = 24
    gop_seconds: float = 2.0


def write_clip(path: Path, spec: ClipSpec) -> Path:
    """Encode one clip as H.264 MP4 (yuv420p, a keyframe every ``gop_seconds``)."""
    rng = np.random.default_rng(spec.seed)
    render = SCENES[spec.scene](rng)
    gain = rng.uniform(0.8, 1.15)
    grain = rng.normal(0, 0.015, (320, 180, 3)).astype(np.float32)
    frames = max(1, int(round(spec.seconds * spec.fps)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=spec.fps)
        stream.width, stream.height = spec.size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = max(1, int(spec.gop_seconds * spec.fps))
        stream.options = {"preset": "veryfast", "crf": "26", "sc_threshold": "0"}
        for i in range(frames):
            image = finish(render(i / spec.fps), spec.size, gain, np.roll(grain, i * 7, axis=1))
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)
    return path
