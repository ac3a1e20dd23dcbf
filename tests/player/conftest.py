"""Fixtures for the players: a real X server for libmpv's own window."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest


@pytest.fixture
def x_display() -> Iterator[str]:
    """A real X server (Xvfb) for libmpv's own window."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed")
    # -displayfd: Xvfb picks a free display number and writes it to our pipe when ready.
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "800x600x24"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    assert server.stdout is not None
    display = ":" + server.stdout.readline().decode().strip()
    yield display
    server.terminate()
    server.wait(5)
