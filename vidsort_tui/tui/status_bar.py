"""One line of notes: the last action (with its undo hint), a running job's progress (the
live note), passing news (a refit, folder keys), look-alikes that want a folder, the model's
accuracy.

When the line is too short for all of them, the standing notes go first (the model's
accuracy, then the look-alikes on offer), then the oldest; the live note is never dropped
(it is cut last, at its end). Passing news expires after a few seconds, so "refitted on 66
videos" does not sit there after it stopped being news.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from vidsort_tui.core.display import display_text

#: how long passing news stays (seconds)
STALE_SECONDS = 6.0
#: display order, left to right, when everything fits
ORDER = ("action", "live", "news", "keys", "groups", "accuracy")
SEPARATOR = "  ·  "
#: notes that stand while true, dropped before news when the line is short: the model's
#: accuracy, then the offer of look-alike groups (a sort's undo hint outranks both)
DROP_FIRST = {"accuracy": 0, "groups": 1}


@dataclass(frozen=True)
class Note:
    text: str
    style: str
    at: float  # time.monotonic() when set: the oldest is dropped first
    expires: float | None = None


class StatusBar(Static):
    #: the live note: a running job's progress, never dropped for lack of room
    retrain: reactive[str] = reactive("")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.notes: dict[str, Note] = {}
        self._live_since = 0.0

    def on_mount(self) -> None:
        self.set_interval(1.0, self.expire)

    def watch_retrain(self, old: str, new: str) -> None:
        if new and not old:
            self._live_since = time.monotonic()

    def set_note(self, slot: str, text: str, style: str = "", ttl: float | None = None) -> None:
        """Show ``text`` in ``slot`` (replacing what was there); ``ttl``: passing news."""
        now = time.monotonic()
        if slot in self.notes and self.notes[slot].text == text and ttl is None:
            return  # unchanged: not news again (the oldest note is the first dropped)
        if text:
            self.notes[slot] = Note(text, style, now, None if ttl is None else now + ttl)
        else:
            self.notes.pop(slot, None)
        self.refresh()

    def news(self, text: str, slot: str = "news") -> None:
        self.set_note(slot, text, "yellow", ttl=STALE_SECONDS)

    @property
    def last_action(self) -> str:
        return self.notes["action"].text if "action" in self.notes else ""

    @last_action.setter
    def last_action(self, text: str) -> None:
        self.set_note("action", text)

    @property
    def accuracy(self) -> str:
        return self.notes["accuracy"].text if "accuracy" in self.notes else ""

    @accuracy.setter
    def accuracy(self, text: str) -> None:
        self.set_note("accuracy", text, "cyan")

    def expire(self) -> None:
        now = time.monotonic()
        stale = [
            slot for slot, n in self.notes.items() if n.expires is not None and n.expires <= now
        ]
        for slot in stale:
            del self.notes[slot]
        if stale:
            self.refresh()

    def shown(self, width: int) -> list[tuple[str, Note]]:
        """The notes that fit ``width`` cells: the oldest dropped first, never the live one."""
        notes = dict(self.notes)
        if self.retrain:
            notes["live"] = Note(self.retrain, "yellow", self._live_since)
        kept = sorted(notes.items(), key=lambda item: ORDER.index(item[0]))

        def length(items: list[tuple[str, Note]]) -> int:
            return sum(cell_len(n.text) for _, n in items) + len(SEPARATOR) * max(0, len(items) - 1)

        while len(kept) > 1 and length(kept) > width:
            droppable = [item for item in kept if item[0] != "live"]
            # the standing notes first (never what just happened), then the oldest
            kept.remove(min(droppable, key=lambda item: (DROP_FIRST.get(item[0], 9), item[1].at)))
        return kept

    def render(self) -> Text:
        text = Text(overflow="ellipsis", no_wrap=True)
        width = self.content_size.width or self.size.width or 1000
        for _slot, note in self.shown(width):
            if text:
                text.append(SEPARATOR, style="dim")
            text.append(display_text(note.text), style=note.style)  # notes name videos
        return text
