"""The real `vidsort-tui` in tmux on a temporary library: keys in, files and screen checked."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tests.tui.conftest import predict_all
from vidsort_tui.core.library import Library

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen(session: str, colours: bool = False) -> str:
    return tmux("capture-pane", "-p", *(["-e"] if colours else []), "-t", session)


def wait_screen(session: str, text: str, seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared:\n{screen(session)}")


def test_sorting_in_a_real_terminal(library_factory, tmp_path):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=3)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("sea", 0.91), names[1]: ("fire", 0.77)})
    session = f"vidsort-{uuid.uuid4().hex[:8]}"
    command = [
        sys.executable,
        "-m",
        "vidsort_tui.cli",
        "--data",
        str(settings.data_dir),
        "--artifacts",
        str(settings.artifacts_dir),
        "--player",
        "inline",
        "--mute",
    ]
    # Importing readline (pytest does) exports COLUMNS=80 LINES=24 into the C environment,
    # which a child would read as its terminal size: the app must see tmux's real 100x30.
    # TERM and COLORTERM as tmux sets them (256 colours said; tmux converts 24-bit ones).
    env = f"cd {shlex.quote(os.getcwd())} && unset COLUMNS LINES COLORTERM && TERM=tmux-256color"
    tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "100",
        "-y",
        "30",
        f"{env} {shlex.join(command)}; sleep 60",
    )
    try:
        shown = wait_screen(session, names[2])
        assert names[0] in shown and "sea" in shown and "91%" in shown and "fire" in shown
        deadline = time.monotonic() + 10
        while "▀" not in screen(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        coloured = screen(session, colours=True)
        assert "▀" in coloured and "\x1b[38;" in coloured  # half-block video cells in colour
        assert "\x1b[48;2;" in coloured  # sent in 24-bit colours, which tmux converts as needed
        title = tmux("display-message", "-p", "-t", session, "#{pane_title}")
        assert "Gi=" not in title  # the graphics probe did not become the pane's title
        tmux("send-keys", "-t", session, "Enter")  # accept "sea" for the first video
        wait_screen(session, f"{names[0]} → sea")
        assert (settings.data_dir / "sea" / names[0]).exists()
        tmux("send-keys", "-t", session, "1")  # folder 1 = fire, for the second video
        wait_screen(session, f"{names[1]} → fire")
        assert (settings.data_dir / "fire" / names[1]).exists()
        tmux("send-keys", "-t", session, "u")
        wait_screen(session, "is back from fire")
        assert (settings.data_dir / names[1]).exists()
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while names[2] in screen(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert names[2] not in screen(session)  # the app quit cleanly
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
