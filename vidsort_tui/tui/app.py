"""The terminal app (placeholder until the TUI issue lands): lists the unsorted videos."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, ListItem, ListView, Static

from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library


class VidsortApp(App[None]):
    TITLE = "vidsort"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.library = Library(settings)

    def compose(self) -> ComposeResult:
        snapshot = self.library.scan()
        yield Header()
        yield Static(f"{len(snapshot.unsorted)} unsorted videos in {self.library.root}")
        yield ListView(*(ListItem(Static(name)) for name in snapshot.unsorted), id="videos")
        yield Footer()


def run(settings: Settings) -> int:
    VidsortApp(settings).run()
    return 0
