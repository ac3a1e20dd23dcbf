"""The pane with a graphics layer, in Textual's Pilot: frames go out as images at the pane's
pixel size while nothing covers it; a notification or a modal screen over it brings the
half-blocks back and stops the images (the real-terminal tests show the pixels)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tests.player.test_video_view import wait_for
from vidsort_tui.graphics.detect import TerminalGraphics
from vidsort_tui.tui.video_view import VideoView


class Cover(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a modal")


class PaneScreen(Screen[None]):
    """A screen of its own, like the app's main screen (it gets Textual's toast rack)."""

    def __init__(self, player: str) -> None:
        super().__init__()
        self.player = player

    def compose(self) -> ComposeResult:
        yield VideoView(self.player, audio=False, id="video")


class PaneApp(App[None]):
    def __init__(self, graphics: TerminalGraphics, player: str = "inline") -> None:
        super().__init__()
        self.graphics, self.player = graphics, player

    def on_mount(self) -> None:
        self.push_screen(PaneScreen(self.player))


KITTY = TerminalGraphics("kitty", (10, 20))


async def test_frames_become_images_until_something_covers_the_pane(clip_factory):
    clip = clip_factory("fire", seed=1, seconds=3.0)
    async with PaneApp(KITTY).run_test(size=(40, 12)) as pilot:
        view = pilot.app.screen.query_one(VideoView)
        layer = view.graphics
        assert layer is not None
        view.play(clip)
        await wait_for(pilot, lambda: layer.frames_written >= 5, 5.0)
        assert layer.geometry.width == 400 and layer.geometry.height == 240
        painted = view.frames_painted
        await wait_for(pilot, lambda: layer.frames_written >= 10, 5.0)
        assert view.frames_painted == painted  # no half-blocks while images are shown

        pilot.app.push_screen(Cover())
        await wait_for(pilot, lambda: layer.covered, 2.0)
        written = layer.frames_written
        await wait_for(pilot, lambda: view.frames_painted > 5, 3.0)  # half-blocks underneath
        assert layer.frames_written == written  # and no image while covered

        pilot.app.pop_screen()
        await wait_for(pilot, lambda: not layer.covered, 2.0)
        await wait_for(pilot, lambda: layer.frames_written > written + 3, 3.0)


async def test_a_notification_over_the_pane_covers_it():
    async with PaneApp(KITTY, player="none").run_test(size=(60, 16), notifications=True) as pilot:
        layer = pilot.app.screen.query_one(VideoView).graphics
        await wait_for(pilot, lambda: not layer.covered, 2.0)
        pilot.app.notify("a toast in the corner", timeout=1.0)
        await wait_for(pilot, lambda: layer.covered, 2.0)
        await wait_for(pilot, lambda: not layer.covered, 4.0)  # gone: the image comes back


async def test_the_layer_follows_a_resize(clip_factory):
    clip = clip_factory("sea", seed=2, seconds=3.0)
    async with PaneApp(KITTY).run_test(size=(40, 12)) as pilot:
        view = pilot.app.screen.query_one(VideoView)
        view.play(clip)
        await wait_for(pilot, lambda: view.graphics.frames_written > 2, 5.0)
        await pilot.resize_terminal(50, 10)
        await wait_for(pilot, lambda: view.graphics.geometry.width == 500, 2.0)
        count = view.graphics.frames_written
        await wait_for(pilot, lambda: view.graphics.frames_written > count + 2, 3.0)
        assert view.graphics.geometry.height == 200


@pytest.mark.parametrize(
    ("graphics", "cells", "expected"),
    [
        (TerminalGraphics("kitty", (9, 18)), (56, 23), (504, 414)),
        (TerminalGraphics("sixel", (8, 15)), (56, 23), (448, 342)),  # whole 6-pixel bands
        (TerminalGraphics("sixel", (8, 15), sixel_max=(400, 300)), (56, 23), (400, 300)),
    ],
)
async def test_pixel_size(graphics, cells, expected):
    async with PaneApp(graphics, player="none").run_test(size=(20, 8)) as pilot:
        assert pilot.app.screen.query_one(VideoView).graphics.pixel_size(*cells) == expected


async def test_half_blocks_need_no_layer():
    async with PaneApp(TerminalGraphics(), player="none").run_test(size=(20, 8)) as pilot:
        assert pilot.app.screen.query_one(VideoView).graphics is None
