"""The `vidsort-tui` command line: help, version, clear errors and exit code 2, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.core.test_library import cut_move
from vidsort_tui.core.config import Settings


def run_cli(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vidsort_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_help_explains_every_mode():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in (
        "--serve",
        "--retrain",
        "--demo",
        "--data",
        "--artifacts",
        "--name-pattern",
        "--version",
    ):
        assert word in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("vidsort-tui ")
    # Not run in a terminal here, so nothing is asked; in one, see tests/e2e/test_graphics_pty.py.
    assert "video in this terminal: half-block cells (not a terminal)" in result.stdout
    forced = run_cli("--version", "--graphics", "halfblock")
    assert "half-block cells (chosen by --graphics" in forced.stdout
    bad = run_cli("--graphics", "ascii")
    assert bad.returncode == 2 and "invalid choice: 'ascii'" in bad.stderr


@pytest.mark.parametrize("mode", [[], ["--serve"], ["--retrain"]])
def test_missing_data_dir_is_one_clear_line_and_exit_2(tmp_path, mode):
    result = run_cli(*mode, "--data", str(tmp_path / "nope"), "--artifacts", str(tmp_path / "a"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_settings_exit_2_without_traceback(tmp_path):
    result = run_cli("--data", str(tmp_path), "--name-pattern", "(")
    assert result.returncode == 2 and "not a valid regex" in result.stderr
    result = run_cli("--data", str(tmp_path), env={"VIDSORT_PORT": "x"})
    assert result.returncode == 2 and "VIDSORT_PORT" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("port", ["99999", "0", "65536", "-1"])
@pytest.mark.parametrize("how", ["flag", "variable"])
def test_a_port_outside_1_to_65535_is_one_line_and_exit_2(tmp_path, port, how):
    args = ["--serve", "--data", str(tmp_path), "--artifacts", str(tmp_path / "a")]
    if how == "flag":
        result = run_cli(*args, f"--port={port}")
    else:
        result = run_cli(*args, env={"VIDSORT_PORT": port})
    assert result.returncode == 2, result.stderr
    assert "port must be between 1 and 65535" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("jobs", ["-2", "-1000000"])
def test_a_jobs_count_below_minus_one_is_one_line_and_exit_2(tmp_path, jobs):
    result = run_cli("--retrain", "--data", str(tmp_path), f"--jobs={jobs}")
    assert result.returncode == 2 and "jobs must be -1 or 0" in result.stderr
    assert "Traceback" not in result.stderr


MODES = [[], ["--serve"], ["--retrain"], ["--demo"], ["--demo", "--serve"]]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: " ".join(m) or "tui")
@pytest.mark.parametrize(
    ("text", "key"),
    [("refit_every = 0\n", "refit_every"), ('port = "eighty"\n', "port"),
     ('player = "vlc"\n', "player"), ("colour = 1\n", "colour"),
     ("[server]\nport = 0\n", "server.port"), ("[model]\nbogus = 1\n", "model.bogus")],
)  # fmt: skip
def test_a_config_file_error_stops_every_mode_naming_the_key_and_file(tmp_path, mode, text, key):
    """Before, one bad value silently dropped every setting of the file in --serve and
    --retrain; then the terminal app (and --demo with it) ran on without the value."""
    (tmp_path / "videos").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "videos"}"\n{text}')
    args = [*mode, "--config", str(config), "--artifacts", str(tmp_path / "a")]
    result = run_cli(*args, cwd=tmp_path)  # --demo would make data/demo here
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and str(config) in lines[0], lines
    assert "Traceback" not in result.stderr and not (tmp_path / "a" / "moves.jsonl").exists()
    assert not (tmp_path / "data").exists()


def test_the_rest_of_a_file_with_a_bad_value_is_read_but_the_app_does_not_start(
    library_factory, tmp_path
):
    built = library_factory({"sea": 2}, unsorted=1)
    config = tmp_path / "config.toml"
    config.write_text('player = "none"\nrefit_every = 0\nauto_train = false\n')
    paths = {"data_dir": built.data_dir, "artifacts_dir": built.artifacts_dir}
    settings = Settings.load({**paths, "config_file": config}, environ={})
    assert settings.player.mode == "none" and settings.model.auto_train is False  # the rest
    args = ["--data", str(built.data_dir), "--artifacts", str(built.artifacts_dir)]
    result = run_cli(*args, "--config", str(config))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "refit_every must be at least 1" in result.stderr and str(config) in result.stderr


def test_the_command_line_starts_by_finishing_a_move_a_crash_cut(library_factory):
    """Before any mode lists the library (here --retrain, which would learn the video from
    sea and predict it as unsorted), a video left under two names by a kill mid-move is put
    in its one place."""
    settings = library_factory({"sea": 1}, unsorted=1)
    name = cut_move(settings)
    run_cli("--retrain", "--data", str(settings.data_dir), "--artifacts",
            str(settings.artifacts_dir), env={"VIDSORT_EMBEDDER": "off"})  # fmt: skip
    assert not (settings.artifacts_dir / "moves.lock.intent").exists()
    assert not (settings.data_dir / name).exists() and (settings.data_dir / "sea" / name).exists()
    # Listed, never shown: the start-up check and the retrain number no folder (the TUI or
    # the page does, when it first shows the folders).
    assert not (settings.artifacts_dir / "folder_keys.json").exists()


def test_retrain_with_jobs_minus_one_uses_every_core(library_factory):
    """-1 (joblib's "all cores") once extracted nothing and then said "no labelled videos"."""
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    args = ["--retrain", "--data", str(settings.data_dir), "--artifacts",
            str(settings.artifacts_dir)]  # fmt: skip
    for jobs in ("-1", "1000000"):
        done = run_cli(*args, f"--jobs={jobs}", env={"VIDSORT_EMBEDDER": "off"})
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Done:" in done.stdout and "5 videos, 0 skipped" in done.stdout
