"""Sampling decodes keyframes (or a little past them) into distinct frames; descriptors."""

from __future__ import annotations

import subprocess
import sys

import av
import numpy as np
import pytest

from pipeline.features.descriptor import FEATURE_VERSION, describe
from pipeline.features.sampling import SHORT_SIDE, SampleError, sample_video
from tests.conftest import realclips_dir
from vidsort_tui.demo.clips import ClipSpec, write_clip


def test_many_keyframes_are_decoded_alone(tmp_path):
    path = write_clip(tmp_path / "a.mp4", ClipSpec("sea", 4.0, 1, size=(360, 640), gop_seconds=0.5))
    sample = sample_video(str(path), k=8)
    assert sample.keyframes == 8 and len(sample.frames) == 8
    assert min(sample.frames[0].shape[:2]) == SHORT_SIDE and sample.frames[0].shape[2] == 3
    assert (sample.width, sample.height) == (360, 640) and 3.9 < sample.duration < 4.2


def test_one_keyframe_still_gives_distinct_frames_spread_over_the_clip(tmp_path):
    path = write_clip(tmp_path / "b.mp4", ClipSpec("snow", 3.0, 2, size=(180, 320), gop_seconds=10))
    sample = sample_video(str(path), k=6)
    assert sample.keyframes == 1 and len(sample.frames) == 6
    diffs = [
        np.abs(a.astype(int) - b.astype(int)).mean()
        for a, b in zip(sample.frames, sample.frames[1:], strict=False)
    ]
    assert min(diffs) > 0.5  # falling snow: every sampled frame differs


def test_real_camera_footage_decodes():
    clips = sorted(realclips_dir().glob("*/*.mp4"))
    assert len(clips) == 20
    for path in clips[:4]:
        sample = sample_video(str(path))
        assert len(sample.frames) >= 6 and sample.frames[0].shape[0] == SHORT_SIDE  # landscape


def test_a_clip_shorter_than_k_frames_gives_every_frame(tmp_path):
    path = tmp_path / "five.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(5):
            image = np.full((64, 64, 3), i * 40, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    sample = sample_video(str(path), k=8)
    assert sample.keyframes == 1 and len(sample.frames) == 5
    assert [round(f.mean() / 40) for f in sample.frames] == [0, 1, 2, 3, 4]  # in order


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "no video frames|cannot open"), (b"this is not a video" * 100, "cannot open|no video")],
)
def test_bad_content_raises_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    with pytest.raises(SampleError, match=reason):
        sample_video(str(path))


def test_descriptor_is_versioned_stable_and_tells_scenes_apart(clip_factory):
    fire = describe(sample_video(str(clip_factory("fire", seed=3))))
    again = describe(sample_video(str(clip_factory("fire", seed=3))))
    snow = describe(sample_video(str(clip_factory("snow", seed=3))))
    assert FEATURE_VERSION >= 1 and fire.global_.dtype == np.float32
    assert np.array_equal(fire.global_, again.global_)
    assert fire.local.shape[1] == 8 and np.isfinite(fire.global_).all()
    within = np.linalg.norm(
        fire.global_ - describe(sample_video(str(clip_factory("fire", seed=4)))).global_
    )
    assert np.linalg.norm(fire.global_ - snow.global_) > within


_PEAK_GROWTH = """
import resource, sys
import av, cv2, numpy
from pipeline.features.sampling import sample_video
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sample = sample_video(sys.argv[1], time_limit=120)
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(sample.frames), growth // 1024)
"""


def test_memory_does_not_grow_with_the_number_of_frames(tmp_path):
    """120,000 frames at 1000 fps: holding every packet (as the sampler once did) grew the
    process by about 90 MB here; streaming them grows it by about 10 MB."""
    clip = tmp_path / "thousand-fps.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=1000",
         "-t", "120", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)],
        check=True, timeout=120,
    )  # fmt: skip
    out = subprocess.run([sys.executable, "-c", _PEAK_GROWTH, str(clip)], capture_output=True,
                         text=True, timeout=120, check=True)  # fmt: skip
    frames, growth_mb = map(int, out.stdout.split())
    assert frames == 8
    assert growth_mb < 40, f"sampling grew the process by {growth_mb} MB"
