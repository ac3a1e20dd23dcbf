"""Confirm "accept all": says how many videos would be filed, and where."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmAcceptAll(ModalScreen[bool]):
    BINDINGS = [("y,enter", "dismiss(True)", "Yes"), ("n,escape", "dismiss(False)", "No")]

    def __init__(self, plan: list[tuple[str, str]], threshold: float) -> None:
        super().__init__()
        self.plan = plan
        self.threshold = threshold

    def compose(self) -> ComposeResult:
        by_folder = Counter(folder for _, folder in self.plan)
        detail = ", ".join(f"{n} → {folder}" for folder, n in by_folder.most_common())
        with Vertical(id="confirm"):
            yield Static(
                Text.assemble(
                    (f"File {len(self.plan)} videos", "bold"),
                    f" predicted with confidence ≥ {self.threshold:.0%}?\n{detail}\n\n",
                    ("y", "bold"),
                    " yes   ",
                    ("n", "bold"),
                    " no",
                )
            )
