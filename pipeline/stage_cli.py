"""What each stage's command line shares (`python -m pipeline.<package>.<stage>`): the
common flags, and one line printed, or the reason it failed."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from pipeline.stage_errors import StageError
from vidsort_tui.core.config import Settings


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
