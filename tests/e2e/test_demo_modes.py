"""`--demo` as a newcomer meets it: from an empty folder, generate, train, then serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_retrain_then_demo_serve_from_an_empty_folder(tmp_path: Path, serve):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDSORT_")}
    cli = [sys.executable, "-m", "vidsort_tui.cli", "--demo"]
    done = subprocess.run([*cli, "--retrain"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Done: 90 videos, 0 skipped" in " ".join(done.stdout.split())

    videos = tmp_path / "data" / "demo" / "videos"
    folders = [d for d in videos.iterdir() if d.is_dir()]
    assert len(folders) >= 5 and all(len(list(d.glob("*.mp4"))) >= 10 for d in folders)
    unsorted = {p.name for p in videos.glob("*.mp4")}
    assert len(unsorted) >= 25
    artifacts = tmp_path / "artifacts" / "demo"
    assert set(json.loads((artifacts / "predictions.json").read_text())) == unsorted
    metrics = json.loads((artifacts / "metrics.json").read_text())
    assert metrics["top1"] >= 0.95 and metrics["feature_set"] == "content+classical"

    server = serve(None, cli_args=("--demo",), cwd=tmp_path)
    with server.client() as client:
        body = client.get("/api/videos").json()
    assert body["total"] == len(unsorted)
    assert all(v["predicted_folder"] for v in body["videos"])
