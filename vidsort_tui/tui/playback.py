"""Moving through the list and controlling playback: every key says what it did.

Pause and seek show in the clock of the video pane's title line; skip, mute and keys that
cannot act (no player, no audio track, sound off for the session) say so in the status line.
"""

from __future__ import annotations

from vidsort_tui.tui.library_screen import LibraryScreen
from vidsort_tui.tui.now_playing import clock
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.video_list import VideoList
from vidsort_tui.tui.video_view import VideoView

NO_PLAYER = "No player (--player none): nothing plays"


class PlaybackActions(LibraryScreen):
    def action_move(self, step: int) -> None:
        table = self.query_one(VideoList)
        if self.entries:
            table.move_cursor(row=max(0, min(len(self.entries) - 1, table.cursor_row + step)))

    def action_first(self) -> None:
        self.query_one(VideoList).move_cursor(row=0)

    def action_last(self) -> None:
        self.query_one(VideoList).move_cursor(row=len(self.entries) - 1)

    def action_skip(self) -> None:
        entry = self.current
        status = self.query_one(StatusBar)
        if entry is None:
            self.notify_plain("Nothing to skip: there are no unsorted videos")
            return
        table = self.query_one(VideoList)
        if table.cursor_row >= len(self.entries) - 1:
            status.last_action = f"Skipped {entry.filename}: that was the last one (k goes back)"
            return
        self.action_move(1)
        status.last_action = f"Skipped {entry.filename} (left unsorted)"

    def _playing(self) -> VideoView | None:
        """The video pane when something plays in it, else None after saying why not."""
        video = self.query_one(VideoView)
        if not video.has_player:
            self.query_one(StatusBar).last_action = NO_PLAYER
            return None
        if video.path is None:
            self.query_one(StatusBar).last_action = "Nothing is playing"
            return None
        if video.unplayable:
            self.query_one(StatusBar).last_action = f"Cannot play this file: {video.unplayable}"
            return None
        return video

    def action_pause(self) -> None:
        if video := self._playing():
            paused = video.toggle_pause()
            self.query_one(StatusBar).last_action = "Paused" if paused else "Playing"

    def action_seek(self, seconds: float) -> None:
        if video := self._playing():
            video.seek(seconds)
            target = (video.position or 0.0) + seconds
            duration = video.duration
            if duration:
                target = min(max(0.0, target), duration)
            direction = "Forward" if seconds > 0 else "Back"
            self.query_one(
                StatusBar
            ).last_action = f"{direction} {abs(seconds):g} s → {clock(target)} / {clock(duration)}"

    def action_mute(self) -> None:
        video = self._playing()
        if video is None:
            return
        if not video.sound:
            said = (
                "No sound: OpenCV playback has none (apt-get install libmpv2)"
                if video.backend_name == "opencv"
                else "Sound is off for this session (--mute or VIDSORT_AUDIO=0)"
            )
        else:
            said = "Muted" if video.toggle_mute() else "Sound on"
        if video.has_audio is False:
            said += " · this video has no audio track"
        self.query_one(StatusBar).last_action = said
