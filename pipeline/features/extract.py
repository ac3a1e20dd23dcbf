"""Stage 1: descriptors for every video in the library, incremental and parallel.

Only videos whose (name, size, mtime_ns) is not cached are decoded, one worker process per
core (joblib/loky) or on a Dask cluster's workers (``--cluster``, ``cluster.py``), each with
one decoder thread, OpenCV and onnxruntime limited to one thread. The same frames feed the
classical descriptor, the content embedder and the perceptual signature
(near-duplicates); a video cached before its signature existed, or before the embedder's
version (``EMBEDDING_VERSION``), is decoded once more for what it lacks alone. When the
embedder is unavailable (``ExtractResult.embedder`` says why) the classical parts alone are
extracted. A broken file is skipped with its reason; the run still succeeds.
Run: python -m pipeline.features.extract --data DIR --artifacts DIR [--jobs N] [--cluster ADDR]
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
from joblib import Parallel, delayed

from pipeline.features.cache import FeatureCache, Key, key_of
from pipeline.features.cluster import on_cluster, problem
from pipeline.features.descriptor import VideoFeatures, describe
from pipeline.features.embedder import Embedder, EmbedderPlan, prepare
from pipeline.features.sampling import SampleError, sample_video
from pipeline.features.signature import signature
from pipeline.stage_cli import stage_main
from pipeline.stage_errors import StageTimeout
from pipeline.video_refs import VideoRef, library_videos
from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings, extraction_processes

PER_VIDEO_SECONDS = 60.0
BATCH = 8

Progress = Callable[[int, int], None]


@dataclass
class ExtractResult:
    features: dict[str, VideoFeatures] = field(default_factory=dict)  # by VideoRef.rel
    skipped: dict[str, str] = field(default_factory=dict)  # VideoRef.rel -> reason
    decoded: int = 0
    cached: int = 0
    damaged: int = 0  # cache rows that failed their checks: deleted, extracted again
    cluster: str = ""  # where on a Dask cluster it ran ("": here)
    seconds: float = 0.0
    embedder: EmbedderPlan = field(default_factory=lambda: EmbedderPlan(None, "not prepared"))

    def notes(self) -> list[str]:
        """What a summary says beside the counts: damaged cache rows, the cluster used."""
        notes = [self.cluster] if self.cluster else []
        if self.damaged:
            rows = "cached feature row was" if self.damaged == 1 else "cached feature rows were"
            notes.append(f"{self.damaged} {rows} damaged and re-extracted")
        return notes


class TransientSkip(str):
    """A skip reason that may not hold next time (see SampleError.transient): never cached."""


def _describe_file(
    path: str,
    time_limit: float,
    model: Path | None = None,
    cached: VideoFeatures | None = None,
    model_sha256: str = "",
) -> VideoFeatures | str:
    """Runs in a worker: the features (with the embedding when ``model`` is given, and the
    signature), or the reason the file was skipped. With ``cached`` features, only what they
    lack (the signature, the embedding of a newer embedder) is computed and added to them.
    ``model`` is loaded only if its bytes hash to ``model_sha256``."""
    cv2.setNumThreads(1)
    try:
        if os.path.getsize(path) == 0:
            return "empty file"
        sample = sample_video(path, time_limit=time_limit)
        features = cached if cached is not None else describe(sample)
        if features.signature is None:
            features.signature = signature(sample.frames, sample.duration)
        if model is not None and features.embedding is None:
            features.embedding = Embedder.load(model, model_sha256).embed(sample.frames)
        return features
    except SampleError as exc:
        return TransientSkip(exc) if exc.transient else str(exc)
    except OSError as exc:
        return TransientSkip(f"unreadable: {exc}"[:300])
    except (ValueError, MemoryError) as exc:
        return f"unreadable: {exc}"[:300]


def extract(
    videos: list[VideoRef],
    cache_path: Path,
    jobs: int = 0,
    progress: Progress | None = None,
    time_limit: float = PER_VIDEO_SECONDS,
    stall_seconds: float | None = None,
    embedder: EmbedderPlan | None = None,
    cluster: str = "",
) -> ExtractResult:
    """Features for ``videos`` (cached or decoded now); skipped files with reasons.

    ``embedder``: what to extract the content embedding with (default: prepared beside the
    cache). A video cached without an embedding is decoded again only when one is wanted.
    ``stall_seconds``: StageTimeout when no video is done for this long. Not a limit on the
    whole stage: a first retrain of 10,000 videos takes longer than any such limit, and every
    video already has its own (``time_limit``).
    """
    start = time.monotonic()
    plan = embedder or prepare(Path(cache_path).parent)
    result = ExtractResult(embedder=plan)
    keys: dict[str, Key] = {}
    for video in videos:
        if video.problem:
            result.skipped[video.rel] = f"not read: it is {video.problem}"
            continue
        key = key_of(video.path)
        if isinstance(key, str):
            result.skipped[video.rel] = key
        else:
            keys[video.rel] = key
    cache = FeatureCache(cache_path)
    try:
        wanted = plan.model_path is not None  # an embedding is wanted for every video
        known = cache.lookup(keys.values(), embeddings=wanted)
        result.damaged = cache.damaged
        incomplete = {
            k: v
            for k, v in known.items()
            if isinstance(v, VideoFeatures)
            and (v.signature is None or (wanted and v.embedding is None))
        }  # cached before signatures existed, or before this embedder's version: decoded
        # again for what they lack alone (the classical parts are not described again)
        known = {k: v for k, v in known.items() if k not in incomplete}
        todo = [v for v in videos if v.rel in keys and keys[v.rel] not in known]
        for rel, key in keys.items():
            if key in known:
                _record(result, rel, known[key])
        result.cached = len(keys) - len(todo)
        total, done = len(videos), len(videos) - len(todo)
        if progress:
            progress(done, total)
        with contextlib.ExitStack() as stack:
            # On a cluster, its workers get the same calls; results come back here.
            remote = stack.enter_context(on_cluster(cluster)) if cluster and todo else None
            workers = remote.threads if remote else extraction_processes(jobs)  # -1/0: all cores
            if remote:
                result.cluster = remote.describe(jobs)
            runner = Parallel(n_jobs=min(workers, max(len(todo), 1)), return_as="generator")
            last_done, stalled = time.monotonic(), False
            for offset in range(0, len(todo), BATCH * workers):
                chunk = todo[offset : offset + BATCH * workers]
                calls = [(str(v.path), time_limit, plan.model_path, incomplete.get(keys[v.rel]),
                          plan.model_sha256) for v in chunk]  # fmt: skip
                outputs = (
                    remote.map(_describe_file, calls)
                    if remote
                    else runner(delayed(_describe_file)(*call) for call in calls)
                )
                stored = []
                for video, answer in zip(chunk, outputs, strict=True):
                    value = _checked(answer, wanted)
                    kept = incomplete.get(keys[video.rel])
                    if (
                        isinstance(value, str)
                        and kept is not None
                        and not (wanted and kept.embedding is None)
                    ):
                        value = kept  # keep what was cached, sign it next time
                    elif not isinstance(value, TransientSkip):
                        stored.append((keys[video.rel], value))
                    _record(result, video.rel, value)
                    done += 1
                    if progress:
                        progress(done, total)
                    now = time.monotonic()
                    stalled |= stall_seconds is not None and now - last_done > stall_seconds
                    last_done = now
                cache.store(stored)
                result.decoded += len(chunk)
                if stalled:  # after the chunk is stored: what was done is kept
                    raise StageTimeout(
                        f"no video was done in {stall_seconds:.0f} s of feature extraction"
                    )
    finally:
        cache.close()
    result.seconds = time.monotonic() - start
    return result


def _checked(answer: object, embedding: bool) -> VideoFeatures | str:
    """A worker's answer, or a (transient: never cached) reason when it is not usable."""
    why = problem(answer, embedding)
    if not why and isinstance(answer, VideoFeatures | str):
        return answer
    return TransientSkip(f"the worker's result was unusable ({why})"[:300])


def _record(result: ExtractResult, name: str, value: VideoFeatures | str) -> None:
    if isinstance(value, str):
        result.skipped[name] = value
    else:
        result.features[name] = value


def run(
    settings: Settings,
    videos: list[VideoRef],
    progress: Progress | None = None,
    stall_seconds: float | None = None,
) -> ExtractResult:
    """Extract features for ``videos``: the job's scan of the library (``library_videos``)."""
    cache_path = Path(settings.artifacts_dir) / artifacts.FEATURES
    plan = prepare(Path(settings.artifacts_dir), settings.model.embedder)
    return extract(videos, cache_path, settings.model.jobs, progress,
                   stall_seconds=stall_seconds, embedder=plan,
                   cluster=settings.model.dask_scheduler)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    def body(settings: Settings) -> str:
        result = run(settings, library_videos(settings))
        lines = [
            f"{len(result.features)} videos described ({result.decoded} decoded, "
            f"{result.cached} cached), {len(result.skipped)} skipped in {result.seconds:.1f} s; "
            f"features: {result.embedder.feature_set}"
        ]
        lines += [f"  {note}" for note in result.notes()]
        lines += [f"  skipped {n}: {r}" for n, r in sorted(result.skipped.items())]
        return "\n".join(lines)  # fmt: skip

    return stage_main(__doc__ or "", body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
