"""The terminal app: one screen for sorting, modal screens for the rest."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.tui.keymap import load_config
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.video_view import VideoView


class VidsortApp(App[None]):
    TITLE = "vidsort"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.library = Library(settings)
        config = load_config(settings.config_file)
        self.keymap_overrides = config.keymap
        self.config_problems = config.problems
        self.accept_threshold = config.accept_threshold

    def on_mount(self) -> None:
        self.set_keymap(self.keymap_overrides)
        self.push_screen(
            MainScreen(
                self.library,
                self.settings.player,
                self.settings.audio,
                self.settings.refit_every,
                self.accept_threshold,
            )  # fmt: skip
        )
        for problem in self.config_problems:
            self.notify(problem, severity="warning", timeout=8, markup=False)

    def on_unmount(self) -> None:
        for view in self.query(VideoView):
            view.stop()


def run(settings: Settings) -> int:
    VidsortApp(settings).run()
    return 0
