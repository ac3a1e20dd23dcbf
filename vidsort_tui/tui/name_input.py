"""A text field for names (the picker's filter, a new folder's name) that never draws a pasted
control character.

Keys typed into an Input are printable only, but a paste is inserted as it is, and Textual
draws it as it is: text copied from a web page can hide a C1 OSC that sets the clipboard or
the title. Pasted text is escaped first (core/display.py), so the field shows ``\\x9d`` and
the core refuses the name for its backslash, saying so.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from vidsort_tui.core.display import display_text


class NameInput(Input):
    def _on_paste(self, event: events.Paste) -> None:
        """Runs before Input's own paste handler, which inserts the (escaped) first line."""
        event.text = "\n".join(map(display_text, event.text.splitlines()))
