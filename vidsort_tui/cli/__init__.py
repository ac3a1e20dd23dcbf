"""`vidsort-tui`: the command line. `entry.main` picks a mode and imports only what it needs."""

from vidsort_tui.cli.entry import main

__all__ = ["main"]
