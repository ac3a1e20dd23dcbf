"""The terminal app: one screen for sorting, modal screens for the rest."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from vidsort_tui.core.config import Settings
from vidsort_tui.tui.keymap import checked_keymap
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

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.keymap, keymap_problems = checked_keymap(settings.keymap)
        self.config_problems = [*settings.problems, *keymap_problems]

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        self.push_screen(MainScreen(self.settings))
        for problem in self.config_problems:
            self.notify(problem, severity="warning", timeout=8, markup=False)

    def on_unmount(self) -> None:
        for view in self.query(VideoView):
            view.stop()


def run(settings: Settings) -> int:
    VidsortApp(settings).run()
    return 0
