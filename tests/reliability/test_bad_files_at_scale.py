"""2,000 videos, 2% of them broken: the retrain succeeds and skips exactly the broken ones."""

from __future__ import annotations

import os

from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.services import retrain

TOTAL, BROKEN = 2000, 40


def test_retrain_skips_exactly_the_broken_files_with_reasons(tmp_path, library_factory):
    # Classical features only: this is about decoding and skipping at scale, and the
    # embedder would add about 150 s of CPU for 1,960 videos (its own tests are in pipeline/).
    settings = library_factory({"fire": 0, "sea": 0, "snow": 0}, unsorted=0)
    settings = settings.with_changes(model={"embedder": "off"})
    root = settings.data_dir
    tiny = {"size": (72, 128), "gop_seconds": 0.25}
    clips = {
        scene: [
            write_clip(tmp_path / f"{scene}{k}.mp4", ClipSpec(scene, 0.5, k, **tiny))
            for k in range(3)
        ]
        for scene in ("fire", "sea", "snow")
    }
    broken: dict[str, tuple[str, ...]] = {}
    good = TOTAL - BROKEN
    for i in range(good):
        scene = ("fire", "sea", "snow")[i % 3]
        rel = (
            f"{scene}/{7600000000000000 + i}.mp4"
            if i < good - 60
            else f"{7600000000000000 + i}.mp4"
        )
        os.link(clips[scene][i % 3], root / rel)  # distinct names, so each is extracted
    sample = clips["sea"][0].read_bytes()
    for j in range(BROKEN):
        rel = f"{('fire/', 'sea/', '')[j % 3]}{7700000000000000 + j}.mp4"
        path = root / rel
        kind = j % 5
        if kind == 0:
            path.write_bytes(b"")
            broken[rel] = ("empty file",)
        elif kind == 1:
            path.write_bytes(sample[: len(sample) // 2])
            broken[rel] = ("cannot open",)
        elif kind == 2:
            path.write_bytes(b"GIF89a not a video at all" * 40)
            broken[rel] = ("cannot open", "video stream has no picture size", "no video")
        elif kind == 3:
            path.mkdir()
            broken[rel] = ("not read: it is a directory",)
        else:
            os.mkfifo(path)  # unreadable as a video (root can read any permission bits)
            broken[rel] = ("not read: it is not a regular file",)
    result = retrain.run(settings)
    assert result.ok, result.last_result
    assert result.skipped.keys() == broken.keys()
    for rel, reason in broken.items():
        assert result.skipped[rel].startswith(reason), (rel, result.skipped[rel])
    assert result.videos == good
    metrics = result.metrics
    assert metrics["skipped"] == dict(sorted(result.skipped.items()))
    assert metrics["top1"] > 0.9
