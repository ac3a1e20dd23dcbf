"""Real terminal emulators on a virtual X display (Xvfb): start one, find its window, take
screenshots of it. Shared by the tests that judge what a terminal shows by its pixels."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

TOOLS = ("Xvfb", "xdotool", "import")
MISSING_TOOLS = [t for t in TOOLS if shutil.which(t) is None]

# How each terminal is started (the program to run follows). xterm as the README says, a
# VT340 with 256 Sixel colour registers; kitty with no user configuration, on X11.
XTERM_VT340 = ["xterm", "-ti", "vt340", "-xrm", "XTerm*decTerminalID: vt340", "-xrm",
               "XTerm*numColorRegisters: 256", "-b", "0", "-fa", "DejaVu Sans Mono", "-fs", "9"]  # fmt: skip


def xterm(cols: int, rows: int, *extra: str) -> list[str]:
    return [*XTERM_VT340, *extra, "-geometry", f"{cols}x{rows}+0+0", "-e"]


def kitty(cols: int, rows: int, *extra: str) -> list[str]:
    return ["kitty", "--config", "NONE", "-o", f"initial_window_width={cols}c", "-o",
            f"initial_window_height={rows}c", "-o", "remember_window_size=no", "-o",
            "font_size=10", "-o", "window_padding_width=0", "-o", "placement_strategy=top-left",
            "-o", "linux_display_server=x11", *extra]  # fmt: skip


def desktop_env(display: str, runtime_dir: Path | str) -> dict[str, str]:
    """The environment of a terminal started from a desktop on ``display``: Mesa's software GL
    (no GPU), its own runtime folder, and none of tmux's, screen's or Wayland's variables, nor
    COLORTERM or TERM (each terminal sets its own)."""
    left_out = {"COLORTERM", "TERM", "TMUX", "STY", "WAYLAND_DISPLAY"}
    env = {k: v for k, v in os.environ.items() if k not in left_out}
    return {**env, "DISPLAY": display, "LIBGL_ALWAYS_SOFTWARE": "1",
            "XDG_RUNTIME_DIR": str(runtime_dir)}  # fmt: skip


@contextmanager
def virtual_display() -> Iterator[str]:
    """An Xvfb server on a free display number; yields ":N"."""
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    assert server.stdout is not None
    number = server.stdout.readline().decode().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(5)


def screenshot(display: str) -> np.ndarray:
    """The whole screen, RGB."""
    png = subprocess.run(["import", "-display", display, "-window", "root", "png:-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]


def window_geometry(display: str, window_class: str) -> tuple[int, int, int, int]:
    """x, y, width, height of the first visible window of that class (waits for it)."""
    env = {**os.environ, "DISPLAY": display}
    out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--class", window_class,
                          "getwindowgeometry", "--shell"],
                         capture_output=True, text=True, env=env, timeout=20).stdout  # fmt: skip
    values = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def keep_shot(name: str, image: np.ndarray) -> None:
    """Save a screenshot when VIDSORT_KEEP_SHOTS names a folder (to look at it)."""
    keep = os.environ.get("VIDSORT_KEEP_SHOTS")
    if keep:
        cv2.imwrite(os.path.join(keep, f"{name}.png"), image[..., ::-1])
