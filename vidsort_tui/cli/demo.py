"""`--demo`: generate the demo library when it is missing, and train a first model on it."""

from __future__ import annotations

from vidsort_tui.core import artifacts
from vidsort_tui.core.config import Settings
from vidsort_tui.core.display import display_text
from vidsort_tui.demo.library import ensure_demo_library
from vidsort_tui.services import retrain


def prepare(settings: Settings, train: bool) -> None:
    """Generate the demo library if missing and, unless retraining anyway, train once on it."""
    if not settings.data_dir.is_dir():
        where = display_text(str(settings.data_dir))
        print(f"Generating the demo library in {where} (once, about a minute)…")

        def progress(done: int, total: int) -> None:
            print(f"\r  {done}/{total} clips", end="", flush=True)

        ensure_demo_library(settings.data_dir, jobs=settings.model.jobs, progress=progress)
        print(flush=True)
    if train and not (settings.artifacts_dir / artifacts.MODEL).exists():
        print("Training a first model on it (a few seconds)…", flush=True)
        try:
            print(f"  {display_text(retrain.run(settings).last_result)}")
        except retrain.RetrainBusy:
            print("  a retrain is already running; the app will show its progress")
