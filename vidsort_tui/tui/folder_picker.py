"""Fuzzy folder picker: type a few letters of a folder, Enter files the video there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


def fuzzy_score(query: str, name: str) -> int | None:
    """Lower is better; None when ``query``'s letters do not appear in order in ``name``."""
    query, lowered = query.casefold(), name.casefold()
    if not query:
        return 0
    if lowered.startswith(query):
        return -1000 + len(name)
    position, gaps = -1, 0
    for char in query:
        found = lowered.find(char, position + 1)
        if found < 0:
            return None
        gaps += found - position - 1
        position = found
    return gaps


def rank(query: str, names: list[str]) -> list[str]:
    scored = [(s, n) for n in names if (s := fuzzy_score(query, n)) is not None]
    return [n for _, n in sorted(scored, key=lambda pair: pair[0])]  # stable: keeps folder order


class FolderPicker(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss(None)", "Cancel"), ("down", "cursor(1)"), ("up", "cursor(-1)")]

    def __init__(self, folders: list[str], title: str = "File into which folder?") -> None:
        super().__init__()
        self.folders = folders
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self.title_text)
            yield Input(placeholder="type to filter", id="picker-input")
            yield OptionList(*[Option(n, id=n) for n in self.folders], id="picker-options")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._highlight_first()

    def _options(self) -> OptionList:
        return self.query_one(OptionList)

    def _highlight_first(self) -> None:
        options = self._options()
        options.highlighted = 0 if options.option_count else None

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self._options()
        options.clear_options()
        options.add_options([Option(n, id=n) for n in rank(event.value, self.folders)])
        self._highlight_first()

    def action_cursor(self, step: int) -> None:
        options = self._options()
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def on_input_submitted(self) -> None:
        options = self._options()
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
