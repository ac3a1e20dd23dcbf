"""The `vidsort-tui` command line: help, version, clear errors and exit code 2, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


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
