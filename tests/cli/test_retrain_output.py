"""`vidsort-tui --retrain` into a pipe (`| tee log`, cron, CI): whole lines, never wrapped."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_the_summary_is_not_wrapped_when_piped(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=2)
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    done = subprocess.run(
        [sys.executable, "-m", "vidsort_tui.cli", "--retrain", "--data", str(settings.data_dir),
         "--artifacts", str(settings.artifacts_dir)],
        capture_output=True, text=True, timeout=300,  # stdout: a real pipe
        env={**env, "VIDSORT_EMBEDDER": "off"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    summary = [line for line in done.stdout.splitlines() if line.startswith("Done:")]
    assert len(summary) == 1, done.stdout
    assert len(summary[0]) > 80  # longer than Rich's width for a pipe: it would have wrapped
    assert re.fullmatch(
        r"Done: 6 videos, 0 skipped, [\d.]+ s; cross-validated accuracy "
        r"top-1 \d\.\d\d, top-3 \d\.\d\d \(.+\)",
        summary[0],
    ), summary[0]
    assert "\x1b[" not in done.stdout  # and no colour codes in a pipe
