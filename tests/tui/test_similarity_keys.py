"""`o` (list order), `g` (look-alike groups) and `c` / `d` (near-duplicates), on real files.

The similarity file is written with the core's writer (core.similarity_file), naming the real
clips of the library; the near-duplicate is a real copy of a filed clip.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.tui.conftest import predict_all, rendered, wait_for
from vidsort_tui.core import artifacts
from vidsort_tui.core.similarity_file import Copy, DuplicateGroup, Similarity, write_similarity
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.confirm_group import ConfirmGroup
from vidsort_tui.tui.folder_picker import FolderPicker
from vidsort_tui.tui.group_screen import GroupScreen
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.video_list import ACCEPTED, VideoList
from vidsort_tui.tui.video_view import VideoView

SIZE = (100, 30)


def rows(app) -> list[str]:
    return [e.filename for e in app.screen.query_one(VideoList).entries]


def status(app) -> str:
    return (
        rendered(app, "#status")
        if isinstance(app.screen, MainScreen)
        else rendered(app, "#group-status")
    )


async def test_o_cycles_the_order_and_the_choice_survives_a_restart(similar_library):
    settings, u, _ = similar_library
    expected = {
        "confident": [u[0], u[1], u[2], u[3]],  # .93, .85, .42, then no prediction
        "uncertain": [u[2], u[1], u[0], u[3]],
        "similar": [u[3], u[0], u[2], u[1]],
    }
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: rows(pilot.app) == u)
        assert "as found" in pilot.app.screen.query_one("#videos").border_title
        await pilot.press("j")  # watching u1: a new order must not take it away
        for order, title in [("confident", "confident first"), ("uncertain", "uncertain first"),
                             ("similar", "look-alikes")]:  # fmt: skip
            await pilot.press("o")
            await wait_for(pilot, lambda o=order: rows(pilot.app) == expected[o])
            assert title in pilot.app.screen.query_one("#videos").border_title
            assert pilot.app.screen.current.filename == u[1]  # still selected, where it is now
            table = pilot.app.screen.query_one(VideoList)
            assert table.cursor_row == expected[order].index(u[1])
            assert pilot.app.screen.query_one(VideoView).path == settings.data_dir / u[1]
            saved = json.loads((settings.artifacts_dir / artifacts.LIST_ORDER).read_text())
            assert saved == {"order": order}
        assert "look-alikes together" in status(pilot.app)
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:  # a restart
        await wait_for(pilot, lambda: rows(pilot.app) == expected["similar"])
        await pilot.press("o")
        await wait_for(pilot, lambda: rows(pilot.app) == u)  # back to as found
    assert json.loads((settings.artifacts_dir / artifacts.LIST_ORDER).read_text())["order"] == (
        "found"
    )


async def test_g_files_a_group_into_its_suggestion_and_u_undoes_the_whole_group(similar_library):
    settings, u, _ = similar_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: rows(pilot.app) == u)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        title = rendered(pilot.app, "#group-title")
        assert "group 1 of 2 · 2 videos · similarity 0.91 · → fire" in title
        members = pilot.app.screen.query_one("#members")
        assert [members.get_option_at_index(i).id for i in range(2)] == [u[0], u[3]]
        video = pilot.app.screen.query_one(VideoView)
        assert video.path == data / u[0]  # the highlighted member plays
        await pilot.press("j")
        assert video.path == data / u[3]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmGroup))
        assert "File all 2 videos of this group into fire?" in rendered(pilot.app, "#confirm-text")
        await pilot.press("y")
        await wait_for(pilot, lambda: (data / "fire" / u[0]).exists())
        assert (data / "fire" / u[3]).exists() and not (data / u[0]).exists()
        await wait_for(pilot, lambda: "group 1 of 1" in rendered(pilot.app, "#group-title"))
        assert "Filed 2 videos into fire (u undoes the group)" in status(pilot.app)
        host = next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))
        await host.reload()  # as a refit finishing under the groups screen would
        assert host.query_one(VideoView).path is None  # one video plays at a time
        await pilot.press("u")  # one step brings both back
        await wait_for(pilot, lambda: (data / u[0]).exists() and (data / u[3]).exists())
        assert not (data / "fire" / u[0]).exists() and not (data / "fire" / u[3]).exists()
        assert "Undid: 2 videos back from fire" in status(pilot.app)
        await wait_for(pilot, lambda: "→ fire" in rendered(pilot.app, "#group-title"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        await wait_for(pilot, lambda: rows(pilot.app) == u)


async def test_s_leaves_a_video_out_of_a_group_and_the_rest_file_together(similar_library):
    """A look-alike that does not belong is left out (it stays unsorted); the others file."""
    settings, u, _ = similar_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: rows(pilot.app) == u)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        await pilot.pause()
        shown = [key.description for key in pilot.app.screen.query("FooterKey")]
        assert "Leave out" in shown
        await pilot.press("j", "s")  # u3 out of (u0, u3)
        await wait_for(pilot, lambda: "· 1 video ·" in rendered(pilot.app, "#group-title"))
        assert f"Left {u[3]} out of the group" in status(pilot.app)
        members = pilot.app.screen.query_one("#members")
        assert [members.get_option_at_index(i).id for i in range(members.option_count)] == [u[0]]
        await pilot.press("s")  # the last one stays: a group of none files nothing
        assert "The last video of a group" in status(pilot.app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmGroup))
        await pilot.press("y")
        await wait_for(pilot, lambda: (data / "fire" / u[0]).exists())
        assert (data / u[3]).exists() and not (data / "fire" / u[3]).exists()


async def test_leaving_the_groups_replaces_what_the_status_line_said_before(similar_library):
    settings, u, _ = similar_library
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: rows(pilot.app) == u)
        await pilot.press("o")
        assert "Order: most confident first" in status(pilot.app)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        assert "Order:" not in status(pilot.app)  # stale: that was before the groups
        assert "Back from the look-alike groups" in status(pilot.app)
        await pilot.press("g", "enter", "y")  # file the first group, then leave
        await wait_for(pilot, lambda: (settings.data_dir / "fire" / u[0]).exists())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        assert "Filed 2 in groups · u undoes the last group" in status(pilot.app)


async def test_g_files_a_group_by_folder_key_or_into_a_new_folder(similar_library):
    settings, u, _ = similar_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        await pilot.press("g")  # the second group has no suggestion
        assert "group 2 of 2" in rendered(pilot.app, "#group-title")
        await pilot.press("enter")  # no suggestion: Enter offers a new folder first
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        await pilot.press("3")  # snow
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmGroup))
        await pilot.press("n")  # not confirmed: nothing moves
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        assert (data / u[1]).exists() and (data / u[2]).exists()
        await pilot.press("n")  # new folder
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        await pilot.press(*"pets", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmGroup))
        assert not (data / "pets").exists()  # created only once confirmed
        assert "into the new folder pets" in rendered(pilot.app, "#confirm-text")
        await pilot.press("y")
        await wait_for(pilot, lambda: (data / "pets" / u[1]).exists())
        assert (data / "pets" / u[2]).exists()


@pytest.mark.parametrize("has_file", [False, True])
async def test_g_says_why_there_are_no_groups(library_factory, has_file):
    settings = library_factory({"fire": 1}, unsorted=2).with_changes(player={"mode": "none"})
    if has_file:
        write_similarity(settings.artifacts_dir, Similarity())
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        text = rendered(pilot.app, "#group-empty")
        assert ("Nothing looks alike" if has_file else "press r") in text
        await pilot.press("enter")
        assert "No group to file" in status(pilot.app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))


async def test_a_near_duplicate_is_flagged_c_plays_the_copy_d_moves_it_and_u_undoes(
    similar_library,
):
    settings, u, original = similar_library
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: rows(pilot.app) == u)
        table = pilot.app.screen.query_one(VideoList)
        assert table.flagged == {u[2]}
        assert "≈" in str(table.render_line(3).text) and "≈" not in str(table.render_line(1).text)
        await pilot.press("c")  # not a duplicate: says so, plays nothing else
        assert "no known copy" in status(pilot.app)
        await pilot.press("j", "j")
        assert f"≈ same as {original.name[:4]}….mp4 in sea" in rendered(pilot.app, "#now")
        video = pilot.app.screen.query_one(VideoView)
        await pilot.press("c")
        assert video.path == data / "sea" / original.name
        assert "Playing the copy" in status(pilot.app)
        await pilot.press("c")  # and back
        assert video.path == data / u[2]
        await pilot.press("d")
        await wait_for(pilot, lambda: (data / "duplicates" / u[2]).exists())
        assert (data / "sea" / original.name).exists()  # the other copy is left alone
        await wait_for(pilot, lambda: u[2] not in rows(pilot.app))
        await pilot.app.screen.reload()  # as the next poll does: duplicates/ is now listed
        assert "duplicates" in [f.name for f in pilot.app.screen.folders]
        assert "duplicates" not in rendered(pilot.app, "#folders")  # no place to file into
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FolderPicker))
        assert pilot.app.screen.folders == ["fire", "sea", "snow"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        await pilot.press("u")
        await wait_for(pilot, lambda: (data / u[2]).exists())
        assert not (data / "duplicates" / u[2]).exists()
        await wait_for(pilot, lambda: u[2] in rows(pilot.app))


async def test_c_selects_an_unsorted_copy_and_d_refuses_a_video_that_is_no_copy(similar_library):
    settings, u, _ = similar_library
    shutil.copyfile(settings.data_dir / u[0], settings.data_dir / u[3])  # a real copy
    write_similarity(
        settings.artifacts_dir,
        Similarity(duplicates=(DuplicateGroup((Copy(u[0], None), Copy(u[3], None)), 0.99),)),
    )
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.query_one(VideoList).flagged == {u[0], u[3]})
        await pilot.press("c")
        assert pilot.app.screen.current.filename == u[3]
        await pilot.press("c")
        assert pilot.app.screen.current.filename == u[0]
        await pilot.press("j", "d")  # u1 is no copy: nothing moves
        await pilot.pause(0.2)
        assert (settings.data_dir / u[1]).exists()
        assert not (settings.data_dir / "duplicates").exists()


async def test_c_steps_through_every_copy_and_the_title_names_the_one_playing(similar_library):
    """Three copies, one filed: the flag names the filed one, and `c` goes there first (it
    once went to the unsorted one instead), then to the third copy (it once flipped between
    two), then back; while the filed copy plays, the title line names it, not the selected
    video."""
    settings, u, original = similar_library
    shutil.copyfile(settings.data_dir / u[2], settings.data_dir / u[3])  # a second real copy
    copies = (Copy(original.name, "sea"), Copy(u[2], None), Copy(u[3], None))
    write_similarity(settings.artifacts_dir, Similarity(duplicates=(DuplicateGroup(copies, 0.99),)))
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.query_one(VideoList).flagged == {u[2], u[3]})
        await pilot.press("j", "j")
        assert pilot.app.screen.current.filename == u[2]
        assert f"same as {original.name[:4]}….mp4 in sea (+1)" in rendered(pilot.app, "#now")
        video = pilot.app.screen.query_one(VideoView)
        await pilot.press("c")
        assert video.path == settings.data_dir / "sea" / original.name
        assert pilot.app.screen.current.filename == u[2]
        now = rendered(pilot.app, "#now")
        assert original.name[:4] in now and "copy 2 of 3, in sea" in now
        assert u[2][-8:-4] not in now  # the selected video's name is not the one shown
        assert "Playing the copy" in status(pilot.app)
        await pilot.press("c")  # the third copy, unsorted: selected
        assert pilot.app.screen.current.filename == u[3]
        assert video.path == settings.data_dir / u[3]
        assert "3 of 3" in status(pilot.app)
        await pilot.press("c")  # and back to where it began
        assert pilot.app.screen.current.filename == u[2]
        assert video.path == settings.data_dir / u[2]
        assert "copy 2 of 3" not in rendered(pilot.app, "#now")


async def test_accept_all_leaves_near_duplicates_and_says_so(similar_library):
    settings, u, _ = similar_library
    confident = {u[0]: ("sea", 0.93), u[1]: ("fire", 0.85), u[2]: ("snow", 0.95)}
    predict_all(settings, confident)  # u2, a copy of a clip in sea, is confident too
    data = settings.data_dir
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        table = pilot.app.screen.query_one(VideoList)
        await wait_for(pilot, lambda: table.flagged == {u[2]})

        # Green is what A files: the copy at 95% is not green, the others are.
        def green(row: int) -> bool:
            return any(
                seg.style and seg.style.color == ACCEPTED.color
                for seg in table.render_line(row + 1)
            )

        assert [table.entries[r].filename for r in range(3)] == u[:3]
        assert [green(r) for r in range(3)] == [True, True, False]
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmAcceptAll))
        assert sorted(pilot.app.screen.plan) == sorted([(u[0], "sea"), (u[1], "fire")])
        said = rendered(pilot.app, "#confirm-text")
        assert "File 2 videos" in said and "1 near-duplicate ≈" in said
        await pilot.press("y")
        await wait_for(pilot, lambda: (data / "fire" / u[1]).exists())
        assert (data / u[2]).exists()  # left in the root, for a person
