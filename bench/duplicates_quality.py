"""Near-duplicate precision and recall on copies made from real clips (../shared/realclips).

Each source gets 1-3 variants (CRF 35 re-encode, half size, first 0.5 s trimmed, letterboxed,
mirrored; ``--watermark`` adds a corner watermark to the kinds); the other sources, several
of the same category, are the negatives. Pairs are scored: a predicted pair is two videos in
one duplicate group. Targets at the default thresholds: precision >= 0.95, recall >= 0.90.
Run: python -m bench.duplicates_quality [--seeds 3] [--watermark]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from bench.common import WORK
from bench.duplicate_variants import KINDS, DuplicateSet, make_set, realclip_sources
from pipeline.features.embedder import prepare
from pipeline.features.extract import extract
from pipeline.similarity.lookalikes import compute
from pipeline.video_refs import library_videos
from vidsort_tui.core.config import Settings

REALCLIPS = Path(__file__).resolve().parents[2] / "shared" / "realclips"


def load_or_make(seed: int, kinds: tuple[str, ...]) -> DuplicateSet:
    """The set for this seed and kinds, made once into bench/.work (ffmpeg is the slow part)."""
    root = WORK / f"duplicates-{seed}-{'-'.join(kinds)}"
    key = root / "key.json"
    if key.is_file():
        saved = json.loads(key.read_text())
        return DuplicateSet(root / "videos", **saved)
    made = make_set(realclip_sources(REALCLIPS), root / "videos", seed, kinds)
    key.write_text(json.dumps({"source_of": made.source_of, "kind_of": made.kind_of,
                               "category_of": made.category_of}))  # fmt: skip
    return made


def evaluate(made: DuplicateSet) -> set[frozenset[str]]:
    """The pairs the pipeline calls copies (two videos in one duplicate group)."""
    art = made.root.parent / "art"
    settings = Settings.load({"data_dir": made.root, "artifacts_dir": art}, environ={})
    cache = art / "features.sqlite"
    features = extract(library_videos(settings), cache, embedder=prepare(art)).features
    found = compute(features, {})
    return {frozenset((a.filename, b.filename)) for g in found.duplicates
            for a in g.videos for b in g.videos if a != b}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--watermark", action="store_true")
    args = parser.parse_args()
    if not REALCLIPS.is_dir():
        print(f"skipped: {REALCLIPS} is not here")
        return
    kinds = KINDS + (("watermark",) if args.watermark else ())
    hits = wrong = truth = 0
    missed: Counter[str] = Counter()
    for seed in range(args.seeds):
        made = load_or_make(seed, kinds)
        predicted, true, kind_of = evaluate(made), made.true_pairs(), made.kind_of
        hits += len(predicted & true)
        wrong += len(predicted - true)
        truth += len(true)
        for pair in true - predicted:
            missed["/".join(sorted(kind_of[n] for n in pair))] += 1
        print(f"seed {seed}: {len(true)} true pairs, {len(predicted)} predicted, "
              f"{len(predicted & true)} right")  # fmt: skip
    precision = hits / (hits + wrong) if hits + wrong else 1.0
    print(f"precision {precision:.3f} (target >= 0.95), recall {hits / truth:.3f} (target >= 0.90)"
          f" over {truth} true pairs; missed by kind: {dict(missed) or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
