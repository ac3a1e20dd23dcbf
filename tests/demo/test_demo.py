"""The demo library: deterministic plan, real vertical H.264 clips, never half-generated."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import av
import pytest

from vidsort_tui.core.config import DOCUMENTED_NAME_PATTERN, Settings
from vidsort_tui.core.library import Library
from vidsort_tui.demo import library as demo
from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.demo.library import demo_plan, ensure_demo_library


def test_plan_has_enough_categories_clips_and_unsorted_and_is_deterministic():
    plan = demo_plan()
    assert plan == demo_plan()
    folders = Counter(rel.split("/")[0] for rel, _ in plan if "/" in rel)
    assert len(folders) >= 5 and min(folders.values()) >= 10
    assert sum(1 for rel, _ in plan if "/" not in rel) >= 25
    assert all(3 <= spec.seconds <= 6 and spec.size == (360, 640) for _, spec in plan)
    names = [rel.split("/")[-1] for rel, _ in plan]
    assert len(set(names)) == len(names)
    library = Library(Settings.load({"name_pattern": DOCUMENTED_NAME_PATTERN}, environ={}))
    assert all(library.is_valid_name(n) for n in names)


@pytest.mark.parametrize("scene", demo.DEMO_CATEGORIES)
def test_each_scene_is_a_real_vertical_h264_clip(tmp_path: Path, scene: str):
    path = write_clip(tmp_path / "clip.mp4", ClipSpec(scene, 3.0, seed=1))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (360, 640)
        assert 2.9 <= float(container.duration / av.time_base) <= 3.2
        keyframes = sum(1 for p in container.demux(stream) if p.is_keyframe)
        assert keyframes == 2  # one every 2 s, like real uploads
    assert not list(tmp_path.glob(".*.part"))


def test_scenes_differ_at_a_glance(tmp_path: Path):
    """Mean colours of two categories are far apart; two clips of one scene differ too."""
    import numpy as np

    def mean_rgb(scene: str, seed: int) -> np.ndarray:
        path = write_clip(
            tmp_path / f"{scene}{seed}.mp4", ClipSpec(scene, 1.0, seed, size=(90, 160))
        )
        with av.open(str(path)) as c:
            frame = next(c.decode(video=0)).to_ndarray(format="rgb24")
        return frame.reshape(-1, 3).mean(0)

    assert np.abs(mean_rgb("snow", 1) - mean_rgb("city_night", 1)).sum() > 150
    assert np.abs(mean_rgb("sea", 1) - mean_rgb("sea", 2)).sum() > 1


def test_generation_is_all_or_nothing(tmp_path: Path, monkeypatch):
    target = tmp_path / "demo" / "videos"
    monkeypatch.setattr(demo, "demo_plan", lambda: [("sea/1.mp4", ClipSpec("nonexistent", 1, 1))])
    with pytest.raises(KeyError):
        ensure_demo_library(target, jobs=1)
    assert not target.exists() and os.listdir(tmp_path / "demo") == []
    small = [
        ("sea/1.mp4", ClipSpec("sea", 0.5, 1, size=(90, 160))),
        ("2.mp4", ClipSpec("fire", 0.5, 2)),
    ]
    monkeypatch.setattr(demo, "demo_plan", lambda: small)
    assert ensure_demo_library(target, jobs=1) is True
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.mp4")) == [
        "2.mp4",
        "sea/1.mp4",
    ]
    assert ensure_demo_library(target, jobs=1) is False  # present: left alone
