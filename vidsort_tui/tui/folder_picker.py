"""Fuzzy folder picker: type a few letters of a folder, Enter files the video there.

The predicted folder is marked and, until the user types, highlighted: Enter alone accepts it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from vidsort_tui.core.display import display_name
from vidsort_tui.tui.name_input import NameInput


def fuzzy_score(query: str, name: str) -> int | None:
    """Lower is better; None when ``query``'s letters do not appear in order in ``name``.
    The name typed exactly comes first (with ``pour`` and ``Pour`` both on disk, typing
    "pour" picks ``pour``), then names starting with it, shortest first."""
    if name == query:
        return -2000
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

    def __init__(
        self,
        folders: list[str],
        predicted: str | None = None,
        predicted_text: str = "",
        title: str = "File into which folder?",
        guess_only: bool = False,
    ) -> None:
        super().__init__()
        self.folders = folders
        self.predicted = predicted if predicted in folders else None
        self.predicted_text = predicted_text  # the prediction's confidence as shown
        self.title_text = title
        self.guess_only = guess_only  # no folder fits (a new kind): marked as a guess only

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Text(self.title_text, style="bold"))
            yield NameInput(placeholder="type to filter", id="picker-input")
            yield OptionList(*self._make_options(self.folders), id="picker-options")
            yield Static(
                Text("type to filter · ↑/↓ choose · Enter files · Esc cancels", style="dim"),
                id="picker-hint",
            )

    def _make_options(self, names: list[str]) -> list[Option]:
        """Names as plain text (never markup, shown escaped), the predicted one marked."""
        options = []
        for name in names:
            prompt = Text(display_name(name))
            if name == self.predicted and self.guess_only:
                prompt.append(f"  ← best guess {self.predicted_text}".rstrip(), style="dim")
            elif name == self.predicted:
                prompt.append(f"  ← predicted {self.predicted_text}".rstrip(), style="green")
            options.append(Option(prompt, id=name))
        return options

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._highlight_first(self.predicted)

    def _options(self) -> OptionList:
        return self.query_one(OptionList)

    def _highlight_first(self, preferred: str | None = None) -> None:
        options = self._options()
        if not options.option_count:
            options.highlighted = None
        elif preferred is not None:
            options.highlighted = options.get_option_index(preferred)
        else:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self._options()
        options.clear_options()
        options.add_options(self._make_options(rank(event.value, self.folders)))
        self._highlight_first(None if event.value else self.predicted)

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
