"""Ask for a new folder's name; the core creates it, and a refusal is shown in the dialog.

The dialog stays open on a refused name, keeping what was typed, with the rule and the
reason beside it: a toast after the dialog has closed would lose both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from vidsort_tui.core.display import display_text
from vidsort_tui.core.names import MAX_NAME_BYTES, character_problem
from vidsort_tui.tui.name_input import NameInput

RULE = (
    "One name that shows what it is: no / or \\, no control or direction characters, not "
    "starting with a dot, at most 255 bytes, not like an existing folder."
)

#: Given a name, creates the folder and returns None, or returns why it could not.
Create = Callable[[str], Awaitable[str | None]]


def reason(name: str) -> str | None:
    """Which part of the rule ``name`` breaks, in words (None: none that we can name).

    The core decides; this only explains its refusal.
    """
    if not name.strip():
        return "type a name first"
    if "/" in name or "\\" in name:
        return "a folder name cannot contain / or \\ (folders are one level, inside the library)"
    if name.startswith("."):
        return "names starting with a dot are hidden folders, which vidsort ignores"
    if why := character_problem(name):
        return f"it {why}"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes"
    return None


class NewFolderScreen(ModalScreen[str | None]):
    BINDINGS = [("escape", "dismiss(None)", "Cancel")]

    def __init__(self, create: Create, files_video: bool = True, what: str | None = None) -> None:
        super().__init__()
        self.create = create
        self.files_video = files_video
        self.what = what  # what happens after: replaces the words about the current video

    def compose(self) -> ComposeResult:
        what = self.what or (
            "the current video is filed into it" if self.files_video else "no video to file"
        )
        with Vertical(id="new-folder"):
            yield Static(Text.assemble(("New folder", "bold"), f" ({what})"))
            yield NameInput(placeholder="folder name", id="new-folder-input")
            yield Static(Text(RULE, style="dim"), id="new-folder-rule")
            yield Static("", id="new-folder-error")
            yield Static(Text("Enter creates · Esc cancels", style="dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @property
    def error(self) -> str:
        """The refusal shown in the dialog ("" when none)."""
        return str(self.query_one("#new-folder-error", Static).render())

    def _refuse(self, message: str) -> None:
        shown = display_text(message)  # the core's refusal names what was typed
        self.query_one("#new-folder-error", Static).update(Text(shown, style="bold red"))

    def on_input_changed(self) -> None:
        self.query_one("#new-folder-error", Static).update("")

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self._refuse("Type a name first (Esc cancels)")
            return
        refusal = await self.create(name)
        if refusal is None:
            self.dismiss(name)
            return
        why = reason(name)
        self._refuse(f"{refusal}: {why}" if why and why not in refusal else refusal)
