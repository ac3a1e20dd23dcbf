"""The terminal app shows the library through the same core object as every API worker
(core.library_view.LibraryView), its listing sharing the one similarity store."""

from __future__ import annotations

from api_compat.main import create_app
from tests.tui.conftest import wait_for
from vidsort_tui.core.library_view import LibraryView
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.video_list import VideoList


async def test_the_screen_and_the_server_show_from_one_library_view(similar_library):
    settings, u, _ = similar_library
    async with VidsortApp(settings).run_test(size=(100, 30)) as pilot:
        screen = pilot.app.screen
        await wait_for(
            pilot, lambda: [e.filename for e in screen.query_one(VideoList).entries] == u
        )
        view = screen.view
        assert isinstance(view, LibraryView)
        assert view.listing.similarity is view.similarity  # one parse of similarity.json
        assert [g.videos for g in screen.similarity.groups] == [(u[0], u[3]), (u[1], u[2])]
    assert isinstance(create_app(settings).state.view, LibraryView)
