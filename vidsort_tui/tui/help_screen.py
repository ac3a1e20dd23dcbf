"""Every key, its binding id (for the config file) and what it does, most used first.

The ten folder keys share one row, and pairs of keys that go together (seek back / forward)
share one too, so the whole list fits an 80x24 terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from vidsort_tui.core.config import Settings
from vidsort_tui.core.display import display_text
from vidsort_tui.core.keymap import ALWAYS_QUIT, FOLDER_KEYS, display_key, effective_keys

FOLDER_IDS = tuple(f"folder_{i + 1}" for i in range(len(FOLDER_KEYS)))

#: (binding ids, what they do), in the order a new user needs them.
ROWS: list[tuple[tuple[str, ...], str]] = [
    (("accept",), "File into the predicted folder"),
    (FOLDER_IDS, "File into folder 1–10, as numbered"),
    (("pick_folder",), "Pick a folder by typing its name"),
    (("new_folder",), "New folder (files the video there)"),
    (("undo",), "Undo the last sort, batch or group"),
    (("skip",), "Skip (leave it unsorted)"),
    (("order", "groups"), "Cycle list order / look-alike groups"),
    (("copy", "duplicates"), "Duplicate ≈: next copy / move aside"),
    (("next", "previous"), "Next / previous video"),
    (("first", "last"), "First / last video in the list"),
    (("pause", "mute"), "Pause or play / mute or sound on"),
    (("seek_back", "seek_forward"), "Back / forward 5 s"),
    (("accept_all",), "Accept all at or above the threshold"),
    (("retrain",), "Retrain the model now"),
    (("help", "quit"), "This help / quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        keys = effective_keys(self.settings.keys)
        with Vertical(id="help"):
            title = Text.assemble(("vidsort keys", "bold"), "  (Esc closes)")
            graphics = getattr(self.app, "graphics", None)
            if graphics is not None:  # wrapped, never cut: the reason is the point of it
                said = display_text(graphics.describe())  # the terminal's own answer
                title.append(f"  ·  video: {said}; --graphics changes it")
            yield Static(title, id="help-title")
            table: DataTable[Text] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns("Keys", "Action", "Id")
            for ids, description in ROWS:
                shown = display_text(_keys_text(ids, keys))  # keys from the config file
                table.add_row(Text(shown), Text(description), Text(_ids_text(ids)))
            table.add_row(Text(ALWAYS_QUIT), Text("Quit (always, whatever the keymap)"), Text(""))
            yield table
            yield Static(
                Text(
                    f"Rebind in {display_text(str(self.settings.config_file))}: [keys] by Id, "
                    'e.g. next = "j,down"; [model] auto_train = false: no retrain unasked.'
                )
            )


def _keys_text(ids: tuple[str, ...], keys: dict[str, list[str]]) -> str:
    if ids == FOLDER_IDS and all(keys[i] == [k] for i, k in zip(ids, FOLDER_KEYS, strict=True)):
        return "1–9, 0"
    per_id = [", ".join(display_key(k) for k in keys[i]) or "(none)" for i in ids]
    return " / ".join(per_id)


def _ids_text(ids: tuple[str, ...]) -> str:
    return f"{ids[0]} … {ids[-1]}" if ids == FOLDER_IDS else " / ".join(ids)
