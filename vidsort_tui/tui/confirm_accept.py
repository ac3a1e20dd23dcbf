"""Confirm "accept all": says how many videos would be filed, where, and which were left."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from vidsort_tui.core.display import display_name
from vidsort_tui.tui.confidence import ConfidenceScale


class ConfirmAcceptAll(ModalScreen[bool]):
    BINDINGS = [("y,enter", "dismiss(True)", "Yes"), ("n,escape", "dismiss(False)", "No")]

    def __init__(self, plan: list[tuple[str, str]], scale: ConfidenceScale, left: str = "") -> None:
        super().__init__()
        self.plan = plan
        self.scale = scale
        self.left = left  # the confident videos `A` leaves for a person, and why

    def compose(self) -> ComposeResult:
        by_folder = Counter(folder for _, folder in self.plan)
        detail = ", ".join(f"{n} → {display_name(f)}" for f, n in by_folder.most_common())
        with Vertical(id="confirm"):
            yield Static(
                Text.assemble(
                    (f"File {len(self.plan)} video{'' if len(self.plan) == 1 else 's'}", "bold"),
                    f" predicted with confidence ≥ {self.scale.threshold_text()}?\n{detail}\n",
                    (f"{self.left[0].upper()}{self.left[1:]}\n" if self.left else "", "yellow"),
                    "(one u undoes them all)\n\n",
                    ("y", "bold"),
                    " yes   ",
                    ("n", "bold"),
                    " no",
                ),
                id="confirm-text",
            )
