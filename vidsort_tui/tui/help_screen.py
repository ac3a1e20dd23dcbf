"""Every key, its binding id (for the config file) and what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from vidsort_tui.core.config import Settings
from vidsort_tui.tui.keymap import KEYS, keys_for


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("[b]vidsort keys[/b]  (Esc closes)", id="help-title")
            table: DataTable[str] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns("Keys", "Action", "Id")
            for spec in KEYS:
                keys = keys_for(spec.id, self.settings.keymap).replace("question_mark", "?")
                table.add_row(keys.replace("slash", "/"), spec.description, spec.id)
            yield table
            yield Static(
                f'Rebind in {self.settings.config_file} under [keys], e.g. next = "j,down"'
            )
