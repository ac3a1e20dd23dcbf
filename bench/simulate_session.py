"""A simulated sorting session: how many videos a user files with Enter, per list order.

Takes labelled libraries (every video in its right folder), copies each (the source is never
touched), keeps k videos per folder and puts the others back in the root, then plays a user
through the functions the TUI calls: the first retrain (`r`: services.retrain.run), the
unsorted list and its predictions (core Library, PredictionStore), the list order
(core.ordering.order_videos), the sort (core Library.sort), and the refit every N sorts
counted from the journal (services.learning, a child process as in the TUI). The user
presses Enter when the prediction is right, the right folder's key otherwise (a digit for
folders 1-10; `/`, a unique prefix and Enter beyond). Features are extracted once per
library and reused by every session through the cache.

Prints, per library and order: the Enter rate (videos filed with Enter / all filed), keys
per video, refits and the median time per refit (wall time of the child, and the refit
itself as the child reports it).
Run: python -m bench.simulate_session [--demo] [--realclips] [--generated N] [PATH ...]
     [--k 3] [--refit-every 10] [--orders found,confident,uncertain,similar]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import WORK
from pipeline.features import extract as extract_features
from pipeline.video_refs import library_videos
from vidsort_tui.core import artifacts as artifacts_names
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.list_order import ORDER_MODES, order_videos
from vidsort_tui.core.predictions import NO_PREDICTION, PredictionStore
from vidsort_tui.core.similarity_store import SimilarityStore
from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.demo.library import demo_plan
from vidsort_tui.demo.scenes import SCENE_NAMES
from vidsort_tui.services import learning, retrain

REALCLIPS = Path(__file__).resolve().parents[2] / "shared" / "realclips"
#: the default orders; `similar` also runs where the pipeline writes similarity.json
ORDERS = ("found", "confident", "uncertain", "similar")
FOLDER_KEYS = 10  # digits 1-9 and 0 file into the first ten folders


@dataclass
class Session:
    order: str
    filed: int = 0
    accepted: int = 0
    keys: int = 0
    refit_wall: list[float] = field(default_factory=list)
    refit_inside: list[float] = field(default_factory=list)
    first_retrain: float = 0.0


def labelled_videos(root: Path) -> dict[str, tuple[str, Path]]:
    """name -> (folder, path) for the videos in the library's folders (a name found in two
    folders is given the folder as a prefix in the copy)."""
    library = Library(Settings.load({"data_dir": root, "artifacts_dir": root / ".none"}, {}))
    out: dict[str, tuple[str, Path]] = {}
    for folder, names in library.scan().categories.items():
        for name in names:
            out[name if name not in out else f"{folder}-{name}"] = (folder, root / folder / name)
    return out


def copy_library(videos: dict[str, tuple[str, Path]], into: Path) -> Path:
    """Every video into its folder (mtimes kept, so the feature cache stays valid)."""
    data = into / "videos"
    for name, (folder, path) in videos.items():
        (data / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, data / folder / name)
    return data


def _restore(data: Path, truth: dict[str, str]) -> None:
    """Every video back in its folder (after a session that filed nothing)."""
    for name, folder in truth.items():
        if (data / name).exists():
            os.rename(data / name, data / folder / name)


def picker_keys(folder: str, folders: list[str]) -> int:
    """`/`, the shortest prefix that picks only this folder, Enter."""
    for n in range(1, len(folder) + 1):
        if sum(f.casefold().startswith(folder[:n].casefold()) for f in folders) == 1:
            return n + 2
    return len(folder) + 2


def play(settings: Settings, truth: dict[str, str], order: str, k: int) -> Session | None:
    """One session on the library at ``settings.data_dir`` (all videos in their folders):
    keep k per folder, file the rest as a user would; leaves every video in its folder.
    None for `similar` when the retrain wrote no similarity.json (nothing was filed then)."""
    rng = np.random.default_rng(0)
    for folder in sorted(set(truth.values())):
        names = sorted(n for n, f in truth.items() if f == folder)
        for name in rng.permutation(names)[k:]:
            os.rename(settings.data_dir / folder / name, settings.data_dir / name)
    session = Session(order)
    began = time.perf_counter()
    assert retrain.run(settings).ok, "the first retrain failed"
    session.first_retrain = time.perf_counter() - began
    library = Library(settings)
    predictions, similarity = PredictionStore(settings.artifacts_dir), SimilarityStore(library)
    if order == "similar" and similarity.version is None:
        return None  # this pipeline writes no look-alike order
    folders = sorted({f for f in truth.values()}, key=lambda f: (f.casefold(), f))
    while unsorted := library.unsorted():
        predicted = predictions.snapshot()
        name = order_videos(unsorted, order, predicted, similarity.current())[0]
        prediction = predicted.get(name, NO_PREDICTION)
        right = truth[name]
        if prediction.predicted_folder == right:
            session.accepted += 1
            session.keys += 1
        else:
            index = folders.index(right)
            session.keys += 1 if index < FOLDER_KEYS else picker_keys(right, folders)
        library.sort(name, right)
        session.filed += 1
        if learning.refit_due(settings):
            began = time.perf_counter()
            outcome = learning.refit_now(settings)
            session.refit_wall.append(time.perf_counter() - began)
            if outcome:
                session.refit_inside.append(outcome["seconds"])
    return session


def run_library(name: str, videos: dict[str, tuple[str, Path]], args: argparse.Namespace) -> None:
    truth = {n: folder for n, (folder, _) in videos.items()}
    counts = {f: sum(1 for v in truth.values() if v == f) for f in set(truth.values())}
    print(f"\n{name}: {len(truth)} videos in {len(counts)} folders "
          f"({', '.join(f'{f} {n}' for f, n in sorted(counts.items()))}); keep {args.k} per "
          f"folder, refit every {args.refit_every} sorts", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="vidsort-session-") as tmp:
        data = copy_library(videos, Path(tmp))
        # Features are kept between runs (bench/.work): keyed by name, size and mtime, which
        # the copies keep, so a second run decodes nothing.
        cache = WORK / "session-features" / "".join(c if c.isalnum() else "-" for c in name)
        base = Settings.load({"data_dir": data, "artifacts_dir": cache,
                              "model": {"refit_every": args.refit_every}}, {})  # fmt: skip
        began = time.perf_counter()
        extracted = extract_features.run(base, library_videos(base))
        print(f"  features: {len(extracted.features)} videos in "
              f"{time.perf_counter() - began:.0f} s ({extracted.embedder.feature_set}), "
              f"{len(extracted.skipped)} skipped", flush=True)  # fmt: skip
        for order in args.orders:
            artifacts = Path(tmp) / f"artifacts-{order}"
            artifacts.mkdir()
            for kept in os.listdir(cache):  # the feature cache and the embedder's graph
                if kept.startswith(artifacts_names.FEATURES) or kept.endswith(".onnx"):
                    shutil.copy2(cache / kept, artifacts / kept)
            s = play(base.with_changes(artifacts_dir=artifacts), truth, order, args.k)
            if s is None:
                print(
                    f"  {order:<10} not measured: this pipeline writes no similarity.json "
                    "(the look-alike order comes with pipeline.similarity.lookalikes)",
                    flush=True,
                )
                _restore(base.data_dir, truth)
                continue
            wall = statistics.median(s.refit_wall) if s.refit_wall else float("nan")
            inside = statistics.median(s.refit_inside) if s.refit_inside else float("nan")
            print(f"  {order:<10} Enter rate {s.accepted / max(s.filed, 1):.3f} "
                  f"({s.accepted}/{s.filed}), keys per video {s.keys / max(s.filed, 1):.2f}, "
                  f"{len(s.refit_wall)} refits: median {wall:.2f} s wall "
                  f"({inside:.2f} s refitting), first retrain {s.first_retrain:.1f} s",
                  flush=True)  # fmt: skip


def demo_library() -> dict[str, tuple[str, Path]]:
    """The demo's 90 clips (its 30 unsorted ones labelled by the scene they were drawn
    from), generated once into bench/.work."""
    root = WORK / "demo-labelled"
    plan = [(rel, spec) for rel, spec in demo_plan()]
    return _generated(root, [(spec.scene, f"{Path(rel).name}", spec) for rel, spec in plan])


def generated_library(per_scene: int) -> dict[str, tuple[str, Path]]:
    """``per_scene`` short clips of each demo scene, varied in length and seed."""
    rng = np.random.default_rng(14)
    clips = [
        (scene, f"{scene}-{i:03d}.mp4",
         ClipSpec(scene, float(rng.uniform(1.0, 3.0)), int(rng.integers(1 << 31)),
                  size=(180, 320), gop_seconds=0.5))
        for scene in SCENE_NAMES for i in range(per_scene)
    ]  # fmt: skip
    return _generated(WORK / f"generated-{per_scene}", clips)


def _write(job: tuple[Path, ClipSpec]) -> None:
    if not job[0].exists():
        job[0].parent.mkdir(parents=True, exist_ok=True)
        write_clip(job[0].with_suffix(".part"), job[1])
        os.rename(job[0].with_suffix(".part"), job[0])


def _generated(root: Path, clips: list[tuple[str, str, ClipSpec]]) -> dict[str, tuple[str, Path]]:
    jobs = [(root / scene / name, spec) for scene, name, spec in clips]
    with ProcessPoolExecutor() as pool:
        list(pool.map(_write, jobs))
    return {name: (scene, root / scene / name) for scene, name, _ in clips}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("libraries", nargs="*", type=Path, help="labelled libraries to copy")
    parser.add_argument("--demo", action="store_true", help="the demo library (generated)")
    parser.add_argument("--realclips", action="store_true", help="../shared/realclips")
    parser.add_argument("--generated", type=int, default=0, metavar="N",
                        help="N generated clips per demo scene")  # fmt: skip
    parser.add_argument("--k", type=int, default=3, help="videos kept per folder (3)")
    parser.add_argument("--refit-every", type=int, default=10, help="sorts per refit (10)")
    parser.add_argument("--orders", default=",".join(ORDERS), help="comma-separated")
    args = parser.parse_args(argv)
    args.orders = [o for o in args.orders.split(",") if o]
    unknown = [o for o in args.orders if o not in ORDER_MODES]
    if unknown:
        parser.error(f"unknown order {unknown[0]!r}: one of {', '.join(ORDER_MODES)}")
    if not (args.libraries or args.demo or args.realclips or args.generated):
        args.demo = args.realclips = True
    print(f"simulate_session: k={args.k}, refit every {args.refit_every}, orders "
          f"{', '.join(args.orders)}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    if args.demo:
        run_library("demo library", demo_library(), args)
    if args.realclips:
        if REALCLIPS.is_dir():
            run_library(f"realclips ({REALCLIPS})", labelled_videos(REALCLIPS), args)
        else:
            print(f"\nrealclips: {REALCLIPS} is not here; skipped")
    if args.generated:
        run_library(f"generated ({args.generated} per scene)",
                    generated_library(args.generated), args)  # fmt: skip
    for path in args.libraries:
        run_library(str(path), labelled_videos(path), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
