"""The video pane's title line: the video, where the model would file it, and the clock.

The clock (position / duration, paused or playing) is read from the player a few times a
second, so seeking and pausing show their effect without a message for each key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from vidsort_tui.core.display import display_name, display_text
from vidsort_tui.core.listing import VideoEntry
from vidsort_tui.core.similarity_file import Copy
from vidsort_tui.tui.confidence import ConfidenceScale
from vidsort_tui.tui.video_list import abbreviate
from vidsort_tui.tui.video_view import VideoView

TICK_SECONDS = 0.25
#: fewer cells than this left for the video's name: the name is left out
MIN_NAME_CELLS = 8


def clock(seconds: float | None) -> str:
    """0:07, 1:02:03; "-:--" when not known."""
    if seconds is None or seconds < 0:
        return "-:--"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class PlayingCopy:
    """Another copy of the selected video, playing in its place (`c`): the line names it."""

    copy: Copy
    number: int  # its place among all the copies, from 1
    total: int

    def text(self) -> Text:
        where = f"in {display_name(self.copy.folder)}" if self.copy.folder else "unsorted"
        return Text(f"≈ copy {self.number} of {self.total}, {where} · c: next", "bold magenta")


class NowPlaying(Static):
    """One line: name and prediction on the left, the playback clock on the right."""

    def __init__(self, video: VideoView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.video = video
        self._video_name = ""
        self._guess = Text()
        self._shorter: list[Text] = []  # what narrower lines say instead of _guess
        self._clock = ""

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self._tick)

    def show(
        self,
        entry: VideoEntry | None,
        scale: ConfidenceScale,
        copy: str = "",
        playing: PlayingCopy | None = None,
    ) -> None:
        """``copy``: "same as X in Y" when the video is a near-duplicate; ``playing``: the
        copy that plays instead of ``entry`` (its name is shown, not the entry's)."""
        self._shorter = []
        if entry is None:
            self._video_name, self._guess = "", Text()
        elif playing is not None:
            self._video_name, self._guess = playing.copy.filename, playing.text()
        else:
            p = entry.prediction
            self._video_name = entry.filename
            guess = display_name(p.predicted_folder) if p.predicted_folder else ""
            if p.new_kind:
                # What to do before the guess: a narrow line cuts the end.
                self._guess = Text.assemble(
                    ("new kind? no folder fits", "bold"),
                    (" · Enter: new folder", "dim"),
                    (f" (guess {guess} {scale.text(p.confidence)})", "dim") if guess else "",
                )
                short = Text.assemble(("new kind?", "bold"), (" Enter: new folder", "dim"))
                self._shorter = [short.copy(), short]
                if guess:
                    self._shorter[0].append(f" (guess {guess} {scale.text(p.confidence)})", "dim")
            elif guess:
                self._guess = Text(f"→ {guess} ({scale.text(p.confidence)})")
            else:
                self._guess = Text("no prediction yet", style="dim")
            if copy:
                self._guess.append(f"  ≈ {display_text(copy)}", style="bold magenta")
        self._tick()
        self.refresh()

    @property
    def clock_text(self) -> str:
        """What the clock shows now ("" when nothing plays)."""
        return self._clock

    def _tick(self) -> None:
        video = self.video
        if video.path is None or not video.has_player or video.unplayable:
            text = ""
        else:
            state = "paused" if video.paused else "▶"
            text = f"{state} {clock(video.position)} / {clock(video.duration)}"
        if text != self._clock:
            self._clock = text
            self.refresh()

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        right = Text(self._clock, style="cyan")
        room = max(0, width - right.cell_len - (2 if right else 0))
        # The prediction matters more than the name (the list's highlighted row shows it):
        # the name gives way first, and goes when fewer than MIN_NAME_CELLS are left for it.
        # A new kind's long line is shortened before that: the name says which video has no
        # folder.
        fits = (g for g in (self._guess, *self._shorter) if room - g.cell_len - 2 >= MIN_NAME_CELLS)
        guess = next(fits, self._guess)
        name_room = room - guess.cell_len - 2
        name = (abbreviate(display_name(self._video_name), name_room)
                if name_room >= MIN_NAME_CELLS else "")  # fmt: skip
        left = Text.assemble((name, "bold"), "  " if name else "", guess)
        left.truncate(room, overflow="ellipsis")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(left)
        if right:
            line.append(" " * max(2, width - left.cell_len - right.cell_len))
            line.append_text(right)
        return line
