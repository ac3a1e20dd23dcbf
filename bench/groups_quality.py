"""Look-alike groups with the folders hidden: how many groups of >= MIN_GROUP, how pure (share
of each group's most common folder), what share of the videos they cover.

Every labelled video is treated as unsorted (its folder hidden) and the pipeline's grouping
runs on the cached embeddings; the folders then score the groups. Target on the issue's
private set: purity >= 0.95 covering >= 25%. Libraries: the demo library (made in
bench/.work), ../shared/realclips, and any folder given.
Run: python -m bench.groups_quality [DATA_DIR ...]
"""

from __future__ import annotations

import argparse
import shutil
from collections import Counter
from pathlib import Path

from bench.common import WORK
from pipeline.embedder import prepare
from pipeline.extract_features import extract
from pipeline.similarity import GROUP_DISTANCE, MIN_GROUP, compute
from pipeline.stage import library_videos
from vidsort_tui.core.config import Settings
from vidsort_tui.demo.library import ensure_demo_library

REALCLIPS = Path(__file__).resolve().parents[2] / "shared" / "realclips"


def score(data: Path, art: Path) -> str:
    settings = Settings.load({"data_dir": data, "artifacts_dir": art}, environ={})
    videos = [v for v in library_videos(settings) if v.label is not None]
    features = extract(videos, art / "features.sqlite", embedder=prepare(art)).features
    hidden = {rel.split("/", 1)[1]: f for rel, f in features.items()}  # folders hidden
    folder = {rel.split("/", 1)[1]: rel.split("/", 1)[0] for rel in features}
    groups = compute(hidden, {}).groups
    covered = sum(len(g.videos) for g in groups)
    right = sum(Counter(folder[n] for n in g.videos).most_common(1)[0][1] for g in groups)
    purity = right / covered if covered else float("nan")
    sizes = sorted((len(g.videos) for g in groups), reverse=True)
    return (f"{data}: {len(features)} videos in {len(set(folder.values()))} folders -> "
            f"{len(groups)} groups of >= {MIN_GROUP} (sizes {sizes}), purity {purity:.3f}, "
            f"coverage {covered / max(1, len(features)):.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("libraries", nargs="*", type=Path)
    args = parser.parse_args()
    demo = WORK / "groups-demo" / "videos"
    ensure_demo_library(demo)
    libraries = [demo] + args.libraries
    if REALCLIPS.is_dir():
        copy = WORK / "groups-realclips" / "videos"
        if not copy.is_dir():  # a copy: the library's artifacts must not go into ../shared
            shutil.copytree(REALCLIPS, copy)
        libraries.append(copy)
    print(f"cut at cosine distance {GROUP_DISTANCE}, groups of at least {MIN_GROUP}")
    for data in libraries:
        print(score(data, data.parent / f"{data.name}-art"))


if __name__ == "__main__":
    main()
