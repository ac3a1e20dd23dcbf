"""Look-alike groups on a first run: a flat folder of videos and no folders yet.

Every video of a labelled library is put in the root of a copy (hard links, numeric names;
the folders are what scores the groups) and the retrain a new user starts runs on it
(``services.retrain.run``, as `--retrain`, `r` or the page do): it must succeed, say how
many look-alike groups it suggests, and write them to similarity.json. Printed: groups,
their sizes, purity (share of each group's commonest kind) and the share of the root they
hold; with ``--sample N --kinds K``, also roots of N videos of K kinds (several draws,
medians): a small root must not say "nothing looks alike".
Target (issue 18, real footage): purity >= 0.95 holding >= 25% of the root, in groups of
at least pipeline.similarity.lookalikes.MIN_GROUP. For groups of kinds without a folder beside folders
of other kinds, see bench.open_set.
Run: python -m bench.groups_quality [LIBRARY ...] [--demo] [--realclips] [--sample 40 --kinds 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from bench.open_set import HERE, Master, build, labelled_videos, master
from bench.simulate_session import REALCLIPS, demo_library
from pipeline.similarity.lookalikes import MIN_GROUP
from vidsort_tui.core.similarity_store import load_similarity
from vidsort_tui.services import retrain


def first_run(m: Master, names: list[str]) -> tuple[dict[str, float], str]:
    """A retrain on a root holding ``names`` and no folder; the groups it wrote, scored."""
    with tempfile.TemporaryDirectory(dir=HERE) as tmp:
        settings = build(m, Path(tmp), {}, {n: m.kind[n] for n in names})
        result = retrain.run(settings)
        if not result.ok:
            raise SystemExit(f"the first run failed: {result.last_result}")
        groups = load_similarity(settings).groups
    held = sum(len(g.videos) for g in groups)
    right = sum(Counter(m.kind[n] for n in g.videos).most_common(1)[0][1] for g in groups)
    return {
        "groups": len(groups),
        "smallest": min((len(g.videos) for g in groups), default=0),
        "purity": right / held if held else float("nan"),
        "coverage": held / len(names),
        "new_kind": float(all(g.new_kind for g in groups)),
    }, result.note


def samples(m: Master, size: int, kinds: int, draws: int) -> list[list[str]]:
    """``draws`` roots of ``size`` videos spread evenly over ``kinds`` kinds."""
    out = []
    by_kind = sorted({k for k in m.kind.values()})
    for seed in range(draws):
        rng = np.random.default_rng(seed)
        chosen = rng.permutation(by_kind)[:kinds]
        each = size // len(chosen)
        names = []
        for k in chosen:
            names += rng.permutation(sorted(n for n, v in m.kind.items() if v == k))[:each].tolist()
        out.append(names)
    return out


def run_library(name: str, videos: dict[str, tuple[str, Path]], args: argparse.Namespace) -> None:
    m = master(name, videos, {})
    HERE.mkdir(parents=True, exist_ok=True)
    whole, note = first_run(m, sorted(m.kind))
    print(f"  whole root, {len(m.kind)} videos: {note}; sizes >= {whole['smallest']}, "
          f"purity {whole['purity']:.3f}, coverage {whole['coverage']:.3f}, all offered as new "
          f"folders: {bool(whole['new_kind'])}", flush=True)  # fmt: skip
    if args.sample:
        rows = [first_run(m, names)[0] for names in samples(m, args.sample, args.kinds, args.draws)]
        for key in ("groups", "purity", "coverage"):
            values = [r[key] for r in rows if not np.isnan(r[key])]
            print(f"  roots of {args.sample} videos of {args.kinds} kinds ({args.draws} draws): "
                  f"median {key} {statistics.median(values) if values else float('nan'):.3f}, "
                  f"least {min(values, default=float('nan')):.3f}", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("libraries", nargs="*", type=Path, help="folder-of-folders libraries")
    parser.add_argument("--demo", action="store_true", help="the demo library (generated)")
    parser.add_argument("--realclips", action="store_true", help="../shared/realclips")
    parser.add_argument("--sample", type=int, default=0, help="also roots of this many videos")
    parser.add_argument("--kinds", type=int, default=8, help="... of this many kinds (8)")
    parser.add_argument("--draws", type=int, default=5)
    args = parser.parse_args(argv)
    if not (args.libraries or args.demo or args.realclips):
        args.demo = args.realclips = True
    print(f"groups_quality: groups of at least {MIN_GROUP} (fewer in a small root); "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    if args.demo:
        run_library("demo library", demo_library(), args)
    if args.realclips:
        if REALCLIPS.is_dir():
            run_library("realclips", labelled_videos(REALCLIPS), args)
        else:
            print(f"realclips: {REALCLIPS} is not here; skipped")
    for path in args.libraries:
        run_library(str(path), labelled_videos(path), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
