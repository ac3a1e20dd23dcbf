"""`vidsort-tui`: the TUI by default, or `--serve`, `--retrain`, with `--demo` on top of any.

Each mode lives in its own module, imported only when chosen, so `--retrain` on a server
never loads Textual, and `--serve` and the TUI never load the pipeline.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from vidsort_tui.core.config import GRAPHICS_MODES, PLAYER_MODES, ConfigError, Settings
from vidsort_tui.core.display import display_text, escape_log_output
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Library
from vidsort_tui.graphics.detect import detect

DESCRIPTION = """\
Keyboard-first video sorter. Plays each unsorted video in DATA_DIR's root inside the
terminal, shows the folder a learned model predicts, and files it with one key.

modes:
  (default)      the terminal app
  --serve        the HTTP API and browser page (http://127.0.0.1:8000 by default)
  --retrain      headless retrain (extract features, train, predict) with a progress bar
  --demo         use the generated demo library (data/demo/videos, artifacts/demo),
                 generating it first if missing; combines with --serve and --retrain

settings: a flag beats the VIDSORT_<NAME> environment variable, which beats the config file
(--config; sections [server], [player], [model], [keys]), which beats the default (e.g.
VIDSORT_DATA_DIR, VIDSORT_ARTIFACTS_DIR, VIDSORT_NAME_PATTERN, VIDSORT_PLAYER,
VIDSORT_GRAPHICS, VIDSORT_ALLOWED_HOSTS=name1,name2). A setting no mode can use stops every
mode with exit code 2, naming the setting and where it came from.
"""

#: mode -> "module:function" taking Settings and returning an exit code.
MODES = {
    "tui": "vidsort_tui.tui.app:run",
    "serve": "api_compat.launch:run",
    "retrain": "vidsort_tui.cli.retrain:run",
    "demo": "vidsort_tui.cli.demo:prepare",
}


def _version() -> str:
    try:
        return version("vidsort-tui")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vidsort-tui",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--serve", action="store_true", help="run the HTTP API and browser page")
    mode.add_argument(
        "--retrain", action="store_true", help="retrain headless, then exit (0 ok, 1 failed)"
    )
    parser.add_argument("--demo", action="store_true", help="work on the generated demo library")
    parser.add_argument("--data", type=Path, help="video folder (default data/Favorites/videos)")
    parser.add_argument(
        "--artifacts", type=Path, help="model and predictions folder (default artifacts)"
    )
    parser.add_argument(
        "--name-pattern", help=r"regex a video name must fully match (e.g. '\d+\.mp4')"
    )
    parser.add_argument("--host", help="--serve: address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--allowed-host",
        action="append",
        metavar="NAME",
        help="--serve: also answer requests for this host name (repeatable; loopback "
        "names and addresses always work)",
    )
    parser.add_argument("--port", type=int, help="--serve: port (default 8000)")
    parser.add_argument("--workers", type=int, help="--serve: worker processes (default 1)")
    parser.add_argument(
        "--jobs", type=int, help="feature extraction processes (default: one per core)"
    )
    parser.add_argument(
        "--cluster",
        metavar="tcp://HOST:PORT",
        help="extract features on this Dask scheduler's workers (VIDSORT_DASK_SCHEDULER); "
        "they must see the data and artifacts folders at the same paths",
    )
    parser.add_argument(
        "--player",
        choices=list(PLAYER_MODES),
        help="video playback (default auto)",
    )
    parser.add_argument(
        "--graphics",
        choices=list(GRAPHICS_MODES),
        help="how the terminal app draws the video: Kitty graphics, Sixel or half-block "
        "cells (default auto: asks the terminal)",
    )
    parser.add_argument("--mute", action="store_true", help="start with audio off")
    parser.add_argument(
        "--no-auto-train",
        action="store_true",
        help="do not train a first model in the background when there is none (only r does)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="TOML config file: settings and keymap (default ~/.config/vidsort/config.toml)",
    )
    parser.add_argument(
        "--version", action="store_true", help="print the version and how video is drawn here"
    )
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {
        "data_dir": args.data,
        "artifacts_dir": args.artifacts,
        "name_pattern": args.name_pattern,
        "config_file": args.config,
        "server": {
            "host": args.host,
            "allowed_hosts": args.allowed_host,
            "port": args.port,
            "workers": args.workers,
        },
        "player": {
            "mode": args.player,
            "graphics": args.graphics,
            "audio": False if args.mute else None,
        },
        "model": {
            "jobs": args.jobs,
            "dask_scheduler": args.cluster,
            "auto_train": False if args.no_auto_train else None,
        },
    }
    settings = Settings.load(overrides)
    if args.demo:
        demo = settings.for_demo()
        # --data/--artifacts still win over the demo's locations when given explicitly.
        settings = Settings.load(
            {
                **overrides,
                "data_dir": args.data or demo.data_dir,
                "artifacts_dir": args.artifacts or demo.artifacts_dir,
            }
        )
    return settings


def _load_mode(mode: str) -> Callable[..., int | None]:
    """The mode's entry point, imported only when chosen: `--retrain` never loads Textual,
    the TUI and the server never load scikit-learn (ARCHITECTURE.md, "Layers")."""
    module_name, func = MODES[mode].split(":")
    entry: Callable[..., int | None] = getattr(importlib.import_module(module_name), func)
    return entry


def main(argv: Sequence[str] | None = None) -> int:
    escape_log_output()  # warnings name files and folders: never raw on the terminal
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        print(f"vidsort-tui: {display_text(str(exc))}", file=sys.stderr)
        return 2
    if args.version:
        graphics = detect(settings.player.graphics)  # the terminal's answer is input too
        said = display_text(graphics.describe())
        print(f"vidsort-tui {_version()}\nvideo in this terminal: {said}")
        return 0
    if settings.problems:
        # Every mode refuses to start on a config file it did not fully read, the same way
        # as on a wrong flag or variable: nobody would see a warning from a server or a
        # headless retrain, and the terminal app would run on settings nobody chose.
        for problem in settings.problems:
            print(f"vidsort-tui: {display_text(problem)}", file=sys.stderr)
        return 2
    mode = "serve" if args.serve else "retrain" if args.retrain else "tui"
    if args.demo:
        _load_mode("demo")(settings, train=mode != "retrain")
    try:
        library = Library(settings)
        library.finish_interrupted_moves()  # a crash cut a move: finish it before any mode
        library.scan()  # the library can be listed (a mode would fail later, less clearly)
    except LibraryError as exc:
        print(f"vidsort-tui: {display_text(str(exc))}", file=sys.stderr)
        return 2
    runner = _load_mode(mode)
    try:
        return int(runner(settings) or 0)
    except KeyboardInterrupt:
        return 130
