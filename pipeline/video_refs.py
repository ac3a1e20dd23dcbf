"""The library's videos as the pipeline sees them: one scan, made by whoever starts a job.

The pipeline may import the core (``vidsort_tui.core``) and nothing else of the app: never
the services, the TUI, the player or the API (ARCHITECTURE.md, "Layers"; import-linter
checks it). It reads the library through ``vidsort_tui.core.library``, so the name policy
and the symlink rule have one source. A job scans once (``library_videos``) and hands the
list to every stage: extraction, training, prediction and ``predict_missing`` read the same
videos, and a 10,000-video library is listed once per retrain, not once per stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.names import RESERVED_FOLDERS


@dataclass(frozen=True)
class VideoRef:
    rel: str  # "folder/name" for a labelled video, "name" for an unsorted one
    path: Path
    label: str | None  # the folder, or None when unsorted
    problem: str | None = None  # set when the entry is named like a video but is not a file


def library_videos(settings: Settings) -> list[VideoRef]:
    """Unsorted and filed videos; the reserved folders (``duplicates``) are not categories:
    their videos are neither learned from, predicted, nor compared."""
    library = Library(settings)
    snapshot = library.scan()
    refs = [VideoRef(n, library.root / n, None) for n in snapshot.unsorted]
    for folder, names in snapshot.categories.items():  # sorted: folds and caches stay stable
        if folder in RESERVED_FOLDERS:
            continue
        refs += [
            VideoRef(f"{folder}/{n}", library.root / folder / n, folder) for n in sorted(names)
        ]
    for rel, kind in snapshot.irregular.items():
        label = rel.split("/")[0] if "/" in rel else None
        if label in RESERVED_FOLDERS:
            continue
        refs.append(VideoRef(rel, library.root / rel, label, problem=kind))
    return refs
