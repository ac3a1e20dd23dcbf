"""Videos no folder fits ("new kind?", issue 18): never green, never filed by `Enter` or `A`;
`Enter` opens the new-folder dialog with the best guess one `↓` away; look-alike groups of a
new kind, and every group of a library with no folders yet, are offered a new folder first.

predictions.json and similarity.json are written with the core's writers, naming the real
clips of the library (the pipeline that fills ``new_kind`` in is tested in its own suite).
"""

from __future__ import annotations

from tests.tui.conftest import notified, rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import Prediction, write_predictions
from vidsort_tui.core.similarity_file import LookalikeGroup, Similarity, write_similarity
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.confirm_group import ConfirmGroup
from vidsort_tui.tui.folder_panel import FolderPanel
from vidsort_tui.tui.group_screen import GroupScreen
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.video_list import VideoList

SIZE = (100, 30)


def styles_of(text) -> list[str]:
    return [str(span.style) for span in text.spans]


async def test_a_new_kind_is_never_green_and_the_title_line_says_so(new_kind_library):
    settings, u = new_kind_library
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        table = pilot.app.screen.query_one(VideoList)
        await wait_for(pilot, lambda: table.row_count == 4)
        assert table.get_row_at(1) == (u[1], "new kind?", "")
        assert table.get_row_at(0)[1:] == ("sea", " 93%")
        row = table.render_line(2)  # line 0 is the header
        assert "new kind?" in row.text
        colours = {seg.style.color.name for seg in row if seg.style and seg.style.color}
        assert "green" not in colours  # 95%, and still not what `A` files
        assert any(seg.style and seg.style.dim for seg in row if "new kind?" in seg.text)
        await pilot.press("j")
        now = rendered(pilot.app, "#now")
        # the pane of a 100-column screen: the shorter line, so the name stays
        assert now.startswith(u[1][:5]) and "  new kind? Enter: new folder (guess fire 95%)" in now
        panel = pilot.app.screen.query_one(FolderPanel).render()
        assert "fire" in panel.plain and not any("green" in s for s in styles_of(panel))


async def test_at_80_columns_a_new_kinds_title_line_keeps_the_videos_name(new_kind_library):
    """The long "no folder fits · Enter: new folder (guess …)" pushed the name out at 80x24:
    the line then said what to do but not about which video."""
    settings, u = new_kind_library
    async with VidsortApp(settings).run_test(size=(80, 24)) as pilot:
        table = pilot.app.screen.query_one(VideoList)
        await wait_for(pilot, lambda: table.row_count == 4)
        await pilot.press("j")
        await wait_for(pilot, lambda: "new kind?" in rendered(pilot.app, "#now"))
        now = rendered(pilot.app, "#now")
        assert u[1][:6] in now and "Enter: new folder" in now


async def test_enter_on_a_new_kind_makes_a_folder_and_files_it_with_one_more_enter(
    new_kind_library,
):
    settings, u = new_kind_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        dialog = pilot.app.screen
        assert dialog.existing[0] == "fire" and set(dialog.existing) == {"fire", "sea", "snow"}
        said = " ".join(str(s.render()) for s in dialog.query("Static"))
        assert "No folder fits this video" in said and "Enter creates and files" in said
        assert (data / u[1]).exists()  # nothing filed by Enter on the row
        await pilot.press(*"gymnastics", "enter")
        await wait_for(pilot, lambda: (data / "gymnastics" / u[1]).exists())
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        status = rendered(pilot.app, "#status")
        assert f"Sorted {u[1]} → gymnastics (new folder, key 4; u undoes)" in status


async def test_the_best_guess_is_one_arrow_away_in_the_dialog(new_kind_library):
    settings, u = new_kind_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        await pilot.press("enter")  # nothing typed, nothing chosen: told, nothing moves
        assert "or ↓ to choose a folder" in pilot.app.screen.error
        await pilot.press("down")
        assert pilot.app.screen.chosen == "fire"
        await pilot.press("down", "up", "enter")  # into the guess after all
        await wait_for(pilot, lambda: (data / "fire" / u[1]).exists())
        assert not (data / "gymnastics").exists()


async def test_accept_all_leaves_new_kinds_and_says_how_many(new_kind_library):
    settings, u = new_kind_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmAcceptAll))
        assert pilot.app.screen.plan == [(u[0], "sea")]
        said = rendered(pilot.app, "#confirm-text")
        assert "File 1 video" in said and "Left for you: 1 new kind?" in said
        await pilot.press("y")
        await wait_for(pilot, lambda: (data / "sea" / u[0]).exists())
        assert (data / u[1]).exists()


async def test_accept_all_with_only_new_kinds_confident_says_why_nothing_is_filed(
    new_kind_library,
):
    settings, u = new_kind_library
    write_predictions(
        settings.artifacts_dir, {u[1]: Prediction("fire", 0.95, (("fire", 0.95),), True)}
    )
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await wait_for(pilot, lambda: notified(pilot.app, "left for you: 1 new kind?"))
        assert isinstance(pilot.app.screen, MainScreen)
        assert (settings.data_dir / u[1]).exists()


async def test_a_new_kind_group_offers_a_new_folder_first(new_kind_library):
    settings, u = new_kind_library
    data = settings.data_dir
    group = LookalikeGroup((u[1], u[3]), "fire", 0.9, new_kind=True)
    write_similarity(settings.artifacts_dir, Similarity(groups=(group,)))
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "g makes a folder" in rendered(pilot.app, "#status"))
        assert "2 videos look alike: g makes a folder for them" in rendered(pilot.app, "#status")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        assert rendered(pilot.app, "#group-title").endswith("similarity 0.90 · new kind?")
        actions = rendered(pilot.app, "#group-actions")
        assert actions.startswith("Enter: a new folder for these 2")
        assert "or 1: fire (nearest)" in actions  # secondary, by its key
        panel = pilot.app.screen.query_one(FolderPanel).render()
        assert not any("green" in s for s in styles_of(panel))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        await pilot.press(*"gymnastics", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmGroup))
        assert "into the new folder gymnastics" in rendered(pilot.app, "#confirm-text")
        await pilot.press("y")
        await wait_for(pilot, lambda: (data / "gymnastics" / u[3]).exists())
        assert (data / "gymnastics" / u[1]).exists()


async def test_a_library_with_no_folders_offers_its_look_alikes_on_the_first_screen(
    library_factory,
):
    """The most common first run: saved videos, no folders, no model, no predictions; only
    the look-alike groups the analysis found."""
    settings = library_factory({}, unsorted=5).with_changes(player={"mode": "none", "audio": False})
    u = Library(settings).unsorted()
    groups = (
        LookalikeGroup((u[0], u[2], u[4]), None, 0.8),
        LookalikeGroup((u[1], u[3]), None, 0.7),
    )
    write_similarity(settings.artifacts_dir, Similarity(groups=groups))
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "look-alikes" in rendered(pilot.app, "#status"))
        status = rendered(pilot.app, "#status")
        assert "2 groups of look-alikes (5 videos): g makes their folders" in status
        accuracy = pilot.app.screen.query_one("#status").accuracy  # shown when there is room
        assert accuracy == "no folders yet: n makes one for the video"  # not "press r"
        assert "or g for videos that look alike" in rendered(pilot.app, "#folders")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        assert "Nothing looks alike" not in rendered(pilot.app, "#group-empty")
        assert "group 1 of 2 · 3 videos" in rendered(pilot.app, "#group-title")
        assert rendered(pilot.app, "#group-actions").startswith("Enter: a new folder for these 3")
        await pilot.press("enter")  # the first action: a new folder, not "no suggestion"
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        await pilot.press(*"cats", "enter", "y")
        await wait_for(pilot, lambda: all((data / "cats" / n).exists() for n in u[0:5:2]))
        await wait_for(
            pilot, lambda: "group 1 of 1 · 2 videos" in rendered(pilot.app, "#group-title")
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        status = pilot.app.screen.query_one("#status")
        await wait_for(pilot, lambda: "no model yet" in status.accuracy)
        assert "Filed 3 in groups" in rendered(pilot.app, "#status")  # news before the offer
        assert status.notes["groups"].text == "2 videos look alike: g makes a folder for them"


async def test_the_offer_of_groups_gives_way_to_what_was_just_done(new_kind_library):
    """At 80 columns the line holds one of them: the sort with its undo hint stays, even when
    the next scan changes the offer ("2 videos look alike" became "1 ...": newer, it once
    pushed the sort out)."""
    settings, u = new_kind_library
    group = LookalikeGroup((u[0], u[1], u[3]), "fire", 0.9, new_kind=True)
    write_similarity(settings.artifacts_dir, Similarity(groups=(group,)))
    async with VidsortApp(settings).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "3 videos look alike" in rendered(app, "#status"))
        await pilot.press("j", "enter", *"gym", "enter")
        await wait_for(pilot, lambda: (settings.data_dir / "gym" / u[1]).exists())
        await app.screen.poll()  # the next scan: the group has two videos left
        status = app.screen.query_one("#status")
        assert status.notes["groups"].text.startswith("2 videos look alike")
        assert "→ gym (new folder, key 4; u undoes)" in rendered(app, "#status")
