"""Ask for a new folder's name; the core creates it, and a refusal is shown in the dialog.

The dialog stays open on a refused name, keeping what was typed, with the rule and the
reason beside it: a toast after the dialog has closed would lose both.

For a video no folder fits (a "new kind?"), `Enter` opens this dialog instead of filing, and
it also lists the existing folders, the best guess first: a name and `Enter` make the folder
and file the video at once; `↓` then `Enter` files it into the guess (or another folder).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from vidsort_tui.core.display import display_name, display_text
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
    """Dismissed with the folder to file into (created by ``create``, or one of ``existing``
    chosen instead), or None."""

    BINDINGS = [("escape", "dismiss(None)", "Cancel"), ("down", "choose(1)"), ("up", "choose(-1)")]
    CSS = "#new-folder-existing { height: auto; max-height: 8; }"

    def __init__(
        self,
        create: Create,
        files_video: bool = True,
        what: str | None = None,
        existing: list[str] | None = None,
        guess: str | None = None,
        guess_text: str = "",
    ) -> None:
        super().__init__()
        self.create = create
        self.files_video = files_video
        self.what = what  # what happens after: replaces the words about the current video
        # Offered instead of a new folder (a new kind's dialog): the guess first
        folders = existing or []
        self.guess = guess if guess in folders else None
        first = [self.guess] if self.guess else []
        self.existing = first + [f for f in folders if f != self.guess]
        self.guess_text = guess_text

    def compose(self) -> ComposeResult:
        what = self.what or (
            "the current video is filed into it" if self.files_video else "no video to file"
        )
        with Vertical(id="new-folder"):
            if self.existing:
                yield Static(Text("No folder fits this video (new kind?)", style="bold"))
            yield Static(Text.assemble(("New folder", "bold"), f" ({what})"))
            yield NameInput(placeholder="folder name", id="new-folder-input")
            yield Static(Text(RULE, style="dim"), id="new-folder-rule")
            yield Static("", id="new-folder-error")
            if self.existing:
                yield Static(Text("…or file it into a folder (↓ / ↑ choose):", style="dim"))
                yield OptionList(*self._options(), id="new-folder-existing")
            hint = "Enter creates and files" if self.existing else "Enter creates"
            yield Static(Text(f"{hint} · Esc cancels", style="dim"), id="new-folder-hint")

    def _options(self) -> list[Option]:
        """Folder names as plain text (never markup, shown escaped), the guess marked, never
        green: it is only a guess."""
        options = []
        for name in self.existing:
            prompt = Text(display_name(name))
            if name == self.guess:
                prompt.append(f"  ← best guess {self.guess_text}".rstrip(), style="dim")
            options.append(Option(prompt, id=name))
        return options

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.existing:
            self.query_one(OptionList).highlighted = None  # a name typed comes first

    @property
    def chosen(self) -> str | None:
        """The existing folder highlighted with ↓ / ↑ (None: a new folder is asked for)."""
        if not self.existing:
            return None
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return str(options.get_option_at_index(options.highlighted).id)

    def action_choose(self, step: int) -> None:
        if not self.existing:
            return
        options = self.query_one(OptionList)
        count = options.option_count
        now = options.highlighted
        options.highlighted = (step - (step > 0) if now is None else now + step) % count
        chosen = self.chosen
        hint = (
            f"Enter files it into {display_name(chosen)}" if chosen else "Enter creates and files"
        )
        self.query_one("#new-folder-hint", Static).update(Text(f"{hint} · Esc cancels", "dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))

    @property
    def error(self) -> str:
        """The refusal shown in the dialog ("" when none)."""
        return str(self.query_one("#new-folder-error", Static).render())

    def _refuse(self, message: str) -> None:
        shown = display_text(message)  # the core's refusal names what was typed
        self.query_one("#new-folder-error", Static).update(Text(shown, style="bold red"))

    def on_input_changed(self) -> None:
        self.query_one("#new-folder-error", Static).update("")
        if self.existing and self.chosen:  # typing a name: a new folder after all
            self.query_one(OptionList).highlighted = None
            hint = Text("Enter creates and files · Esc cancels", "dim")
            self.query_one("#new-folder-hint", Static).update(hint)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.chosen:  # the last thing done was ↓ / ↑: an existing folder
            self.dismiss(self.chosen)
            return
        name = event.value.strip()
        if not name:
            more = ", or ↓ to choose a folder" if self.existing else ""
            self._refuse(f"Type a name first{more} (Esc cancels)")
            return
        refusal = await self.create(name)
        if refusal is None:
            self.dismiss(name)
            return
        why = reason(name)
        self._refuse(f"{refusal}: {why}" if why and why not in refusal else refusal)
