"""One line: the last action (with its undo hint), retrain progress, model accuracy."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    last_action: reactive[str] = reactive("")
    retrain: reactive[str] = reactive("")
    accuracy: reactive[str] = reactive("")

    def render(self) -> Text:
        text = Text(overflow="ellipsis", no_wrap=True)
        parts = [(self.last_action, ""), (self.retrain, "yellow"), (self.accuracy, "cyan")]
        for part, style in [(p, s) for p, s in parts if p]:
            if text:
                text.append("  ·  ", style="dim")
            text.append(part, style=style)
        return text
