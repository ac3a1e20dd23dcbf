"""The terminal app: one screen for sorting, modal screens for the rest."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from textual.app import App

from vidsort_tui.core.config import Settings
from vidsort_tui.core.keymap import checked_keymap
from vidsort_tui.graphics.detect import TerminalGraphics, detect
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.video_view import VideoView


class VidsortApp(App[None]):
    TITLE = "vidsort"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = False
    # Classes for app.tcss: "-narrow" below 90 columns, "-short" below 30 rows, "-tiny"
    # below 20, so small terminals give their lines to the video and the folders.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (20, "-short"), (30, "-tall")]

    def __init__(self, settings: Settings, graphics: TerminalGraphics | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.graphics = graphics or TerminalGraphics(reason="not detected")
        # The rest of the config file was checked before start-up (cli.entry refuses to
        # start on it); which binding ids exist and which keys clash only the app knows.
        self.keymap, self.config_problems = checked_keymap(settings.keys)

    def on_mount(self) -> None:
        # SIGTERM quits like q: images deleted, the terminal restored.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.exit)
        self.set_keymap(self.keymap)
        self.push_screen(MainScreen(self.settings))
        for problem in self.config_problems:
            self.notify(problem, severity="warning", timeout=8, markup=False)

    def video_views(self) -> list[VideoView]:
        """Every video pane, on any screen of the stack (App.query sees none of them)."""
        return [view for screen in self.screen_stack for view in screen.query(VideoView)]

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Delete terminal images while the app still owns the screen, then quit."""
        for view in self.video_views():
            view.release_graphics()
        super().exit(*args, **kwargs)

    def on_unmount(self) -> None:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
        for view in self.video_views():
            view.stop()


def run(settings: Settings) -> int:
    """Ask the terminal what it can show before Textual takes it over, then run."""
    graphics = detect(settings.player.graphics)
    if graphics.truecolor:
        # Rich, and so Textual, picks its colours from COLORTERM, else from TERM, which says
        # 8 colours in xterm: the theme would be painted from the terminal's own palette.
        os.environ["COLORTERM"] = "truecolor"
    VidsortApp(settings, graphics).run()
    return 0
