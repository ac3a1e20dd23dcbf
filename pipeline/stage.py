"""What the stages share: the library's videos, a stage time limit, the common CLI flags.

The pipeline may import the core (``vidsort_tui.core``) and nothing else of the app: never
the services, the TUI, the player or the API (ARCHITECTURE.md, "Layers"; import-linter
checks it). It reads the library through ``vidsort_tui.core.library``, so the name policy
and the symlink rule have one source.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.names import RESERVED_FOLDERS


class StageTimeout(Exception):
    """A stage ran past its time limit (900 s by default)."""


class StageError(Exception):
    """A stage cannot do its job; the message says why, for the user."""


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


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="video folder (VIDSORT_DATA_DIR)")
    parser.add_argument("--artifacts", type=Path, help="artifacts folder (VIDSORT_ARTIFACTS_DIR)")
    parser.add_argument("--name-pattern", help="video name regex (VIDSORT_NAME_PATTERN)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--cluster", help="Dask scheduler tcp://HOST:PORT (VIDSORT_DASK_SCHEDULER)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.load(
        {
            "data_dir": args.data,
            "artifacts_dir": args.artifacts,
            "name_pattern": args.name_pattern,
            "model": {"jobs": args.jobs, "dask_scheduler": args.cluster},
        }
    )


def stage_main(description: str, body: Callable[[Settings], str], argv: list[str] | None) -> int:
    """`python -m pipeline.<stage>`: parse the common flags, run, print one line; 1 on failure."""
    parser = argparse.ArgumentParser(description=description)
    add_common_args(parser)
    settings = settings_from_args(parser.parse_args(argv))
    try:
        print(body(settings))
    except StageError as exc:
        print(f"{parser.prog}: {exc}")
        return 1
    return 0
