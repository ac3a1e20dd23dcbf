"""Look-alike groups, one at a time: the members (the highlighted one playing), the suggested
folder and how alike they are; one key files the whole group, after a confirmation.

A group is filed with core.batch.sort_batch, so `u` brings the whole group back in one step.
The keys are the sorting screen's binding ids (a rebinding in the config applies here too):
Enter files into the suggested folder, a folder key into that folder, n into a new folder,
the skip key (s) leaves the highlighted video out of the group (it stays unsorted),
g steps to the next group, Esc goes back. A group no folder fits (``new_kind``), or one
without a suggestion (no model yet), is offered a new folder first: Enter asks for its name,
and the nearest folder is only mentioned, reachable by its key.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from vidsort_tui.core.batch import BatchOutcome, sort_batch
from vidsort_tui.core.display import display_name, display_text
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.folder_keys import key_text
from vidsort_tui.core.keymap import KEYS
from vidsort_tui.core.similarity_file import LookalikeGroup
from vidsort_tui.core.undo import undo_sorts
from vidsort_tui.tui.confirm_group import ConfirmGroup
from vidsort_tui.tui.folder_panel import FolderPanel
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.status_bar import StatusBar
from vidsort_tui.tui.toasts import TOASTS_OVER_THE_VIDEO
from vidsort_tui.tui.video_view import VideoView

if TYPE_CHECKING:
    from vidsort_tui.tui.library_screen import LibraryScreen

#: binding id -> (action here, footer text); the ids are those of keymap.KEYS
ACTIONS = {
    "next": ("move(1)", "Next"),
    "previous": ("move(-1)", "Previous"),
    "accept": ("file_suggested", "File group"),
    "new_folder": ("new_folder", "New folder"),
    "undo": ("undo", "Undo"),
    "skip": ("leave_out", "Leave out"),
    "groups": ("next_group", "Next group"),
    "quit": ("app.quit", "Quit"),
    **{f"folder_{i + 1}": (f"file_into({i})", "") for i in range(10)},
}

NO_MODEL = (
    "No look-alike groups yet\n\nGroups are found when the videos are analysed: go back "
    "(Esc) and press r, then g again."
)
NOTHING_ALIKE = (
    "Nothing looks alike\n\nNo unsorted videos are close enough to file together. Sort them "
    "one by one (Esc goes back); groups are looked for again at every retrain."
)


def wants_new_folder(group: LookalikeGroup) -> bool:
    """A new folder is the first thing to offer: no folder fits the group, or nothing
    suggests one (no model yet, as in a library with no folders)."""
    return group.new_kind or group.suggested_folder is None


def group_bindings() -> list[BindingType]:
    found = [
        Binding(k.keys, ACTIONS[k.id][0], ACTIONS[k.id][1], show=bool(ACTIONS[k.id][1])
                and k.id not in ("next", "previous"), id=k.id, priority=True)
        for k in KEYS
        if k.id in ACTIONS
    ]  # fmt: skip
    return [*found, Binding("escape", "back", "Back", priority=True)]


class GroupScreen(Screen[int]):
    """Dismissed with how many videos were filed (for the host's refit count)."""

    BINDINGS = group_bindings()
    CSS = TOASTS_OVER_THE_VIDEO + "#group-actions { height: auto; padding: 0 1; }"

    def __init__(self, host: LibraryScreen) -> None:
        super().__init__()
        self.host = host
        self.groups: list[LookalikeGroup] = list(host.similarity.groups)
        self.index = 0
        self.filed = 0

    @property
    def group(self) -> LookalikeGroup | None:
        return self.groups[self.index] if 0 <= self.index < len(self.groups) else None

    def compose(self) -> ComposeResult:
        settings = self.host.settings
        yield Static(id="group-title", markup=False)
        with Horizontal(id="group-body"):
            yield OptionList(id="members")
            yield VideoView(settings.player.mode, settings.player.audio, id="group-video")
        yield Static(id="group-actions")
        yield Static(id="group-empty")
        yield FolderPanel(self.host.folder_keys, id="group-folders")
        yield StatusBar(id="group-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#members").border_title = "Members"
        self.query_one("#group-folders").border_title = "Folders"
        self.show_group()

    # ----- showing ------------------------------------------------------------------------
    def show_group(self) -> None:
        group = self.group
        members = self.query_one(OptionList)
        self.query_one("#group-body").display = group is not None
        empty = self.query_one("#group-empty", Static)
        empty.display = group is None
        suggested = group.suggested_folder if group else None
        new_first = group is not None and wants_new_folder(group)
        self.query_one(FolderPanel).show(self.host.folders, suggested, guess_only=new_first)
        actions = self.query_one("#group-actions", Static)
        actions.display = group is not None
        if group is None:
            self.query_one("#group-title", Static).update("Look-alike group")
            empty.update(Text(NO_MODEL if not self.host.has_similarity else NOTHING_ALIKE))
            self.query_one(VideoView).play(None)
            return
        if group.new_kind:
            where = "new kind?"  # the nearest folder: in the actions line, second
        else:
            where = f"→ {display_name(suggested)}" if suggested else "no suggestion"
        count = f"{len(group.videos)} video{'' if len(group.videos) == 1 else 's'}"
        self.query_one("#group-title", Static).update(
            f"Look-alike group {self.index + 1} of {len(self.groups)} · {count} · "
            f"similarity {group.similarity:.2f} · {where}"
        )
        actions.update(self.actions_text(group))
        members.clear_options()
        members.add_options([Option(Text(display_name(name), no_wrap=True, overflow="ellipsis"),
                                    id=name) for name in group.videos])  # fmt: skip
        members.highlighted = 0
        self.play_highlighted()

    def actions_text(self, group: LookalikeGroup) -> Text:
        """What the keys do for this group, the first action first."""
        count = len(group.videos)
        folder = group.suggested_folder
        shown = display_name(folder) if folder else ""
        if wants_new_folder(group):
            text = Text.assemble(("Enter", "bold"), f": a new folder for these {count}")
            key = next((f.key for f in self.host.folders if f.name == folder), None)
            if folder and key:
                text.append(f"  ·  or {key_text(key)}: {shown} (nearest)", style="dim")
            return text
        return Text.assemble(
            ("Enter", "bold"), f": file all {count} into {shown}", ("  ·  n: a new folder", "dim")
        )

    def play_highlighted(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        video = self.query_one(VideoView)
        video.play(self.host.library.root / str(option.id) if option else None)

    def on_option_list_option_highlighted(self) -> None:
        self.play_highlighted()

    def say(self, text: str) -> None:
        self.query_one(StatusBar).last_action = text

    # ----- keys ---------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        members = self.query_one(OptionList)
        if members.option_count:
            members.highlighted = max(0, min(members.option_count - 1,
                                             (members.highlighted or 0) + step))  # fmt: skip

    def action_leave_out(self) -> None:
        """A look-alike that does not belong: out of this group, so the rest file together;
        it stays unsorted (and comes back in the groups at the next retrain)."""
        group, option = self.group, self.query_one(OptionList).highlighted_option
        if group is None or option is None:
            self.say("No video to leave out")
            return
        if len(group.videos) <= 1:
            self.say("The last video of a group: file it, or Esc and sort it on its own")
            return
        name = str(option.id)
        at = group.videos.index(name)
        self.groups[self.index] = replace(group, videos=tuple(v for v in group.videos if v != name))
        self.show_group()
        members = self.query_one(OptionList)
        members.highlighted = min(at, members.option_count - 1)
        self.say(f"Left {name} out of the group: it stays unsorted")

    def action_next_group(self) -> None:
        if not self.groups:
            self.say("There are no look-alike groups")
            return
        self.index = (self.index + 1) % len(self.groups)
        self.show_group()

    def action_back(self) -> None:
        self.dismiss(self.filed)

    def action_file_suggested(self) -> None:
        group = self.group
        if group is None:
            self.say("No group to file")
        elif wants_new_folder(group) or not group.suggested_folder:
            self.action_new_folder()  # the first action for a group no folder fits
        else:
            self.confirm(group, group.suggested_folder)

    def action_file_into(self, index: int) -> None:
        folder = self.host.folder_for_key(index)
        if self.group is None:
            self.say("No group to file")
        elif folder is None:
            self.say(f"There is no folder {index + 1}: n files the group into a new one")
        else:
            self.confirm(self.group, folder)

    def action_new_folder(self) -> None:
        group = self.group
        if group is None:
            self.say("No group to file")
            return
        library = self.host.library

        async def check(name: str) -> str | None:
            """Only checked here (the rule, and no folder that looks the same): the folder is
            created once the filing is confirmed."""
            try:
                await asyncio.to_thread(library.check_new_folder, name)
            except LibraryError as exc:
                return str(exc)
            return None

        def chosen(name: str | None) -> None:
            if name and self.group is group:
                self.confirm(group, name, new=True)

        what = f"all {len(group.videos)} videos of this group go into it, after a confirmation"
        self.app.push_screen(NewFolderScreen(check, what=what), chosen)

    def confirm(self, group: LookalikeGroup, folder: str, new: bool = False) -> None:
        async def answered(yes: bool | None) -> None:
            if yes:
                await self.file_group(group, folder, new)

        self.app.push_screen(ConfirmGroup(len(group.videos), folder, new), answered)

    async def file_group(self, group: LookalikeGroup, folder: str, new: bool) -> None:
        view = self.host.view

        def work() -> BatchOutcome:
            if new:
                view.create_folder(folder)
            return sort_batch(view.library, [(name, folder) for name in group.videos])

        try:
            outcome = await asyncio.to_thread(work)
        except LibraryError as exc:
            self.notify(display_text(str(exc)), severity="error", timeout=8, markup=False)
            return
        done = len(outcome.sorted)
        self.filed += done
        said = f"Filed {done} video{'' if done == 1 else 's'} into {folder} (u undoes the group)"
        if outcome.failed:
            first = outcome.failed[0]
            said += f" · {len(outcome.failed)} not filed: {first.reason}"
        self.say(said)
        await self.refresh_groups()

    async def action_undo(self) -> None:
        try:
            undone = (await asyncio.to_thread(undo_sorts, self.host.library)).undone
        except LibraryError as exc:
            self.say(str(exc))
            return
        count = len(undone)
        self.filed = max(0, self.filed - count)
        self.say(f"Undid: {count} video{'' if count == 1 else 's'} back from {undone[0].dst}")
        await self.refresh_groups(prefer=undone[0].filename)

    async def refresh_groups(self, prefer: str | None = None) -> None:
        """Rescan (the host's scan: same order, same similarity file) and show the group
        holding ``prefer``, or the one now at the same place."""
        try:
            _entries, folders, similarity, _keys = await asyncio.to_thread(self.host._scan)
        except LibraryError as exc:
            self.say(str(exc))
            return
        self.host.folders = folders
        self.groups = list(similarity.groups)
        holding = [i for i, g in enumerate(self.groups) if prefer in g.videos]
        self.index = holding[0] if holding else min(self.index, max(0, len(self.groups) - 1))
        self.show_group()
