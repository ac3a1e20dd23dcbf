"""A small real library with a predictions file, and the app built on it (no player)."""

from __future__ import annotations

import pytest

from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import Prediction, write_predictions
from vidsort_tui.tui.app import VidsortApp


def predict_all(settings: Settings, guesses: dict[str, tuple[str, float]]) -> None:
    write_predictions(
        settings.artifacts_dir,
        {n: Prediction(f, c, ((f, c),)) for n, (f, c) in guesses.items()},
    )


@pytest.fixture
def tui_library(library_factory) -> Settings:
    """Folders fire, sea, snow (2 clips each); 4 unsorted, the first three predicted."""
    settings = library_factory({"fire": 2, "sea": 2, "snow": 2}, unsorted=4)
    names = Library(settings).unsorted()
    predict_all(
        settings, {names[0]: ("sea", 0.93), names[1]: ("fire", 0.85), names[2]: ("snow", 0.42)}
    )
    return settings.with_changes(player={"mode": "none", "audio": False})


@pytest.fixture
def make_app(tui_library):
    def build(config_file=None, **changes) -> VidsortApp:
        settings = tui_library
        if config_file is not None:  # read the file as start-up does, then apply the rest
            paths = {"data_dir": settings.data_dir, "artifacts_dir": settings.artifacts_dir}
            settings = Settings.load({**paths, "config_file": config_file}, environ={})
            settings = settings.with_changes(player={"mode": "none", "audio": False})
        return VidsortApp(settings.with_changes(**changes))

    return build


async def wait_for(pilot, condition, seconds: float = 5.0) -> None:
    """Let the app run until ``condition()`` holds (threads and workers finish their work)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


def rendered(app, selector: str) -> str:
    """The plain text a widget of the current screen shows."""
    return str(app.screen.query_one(selector).render())


def notified(app, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


SIX_SCENES = ("city_night", "desert", "fire", "forest", "sea", "snow")


@pytest.fixture
def six_folder_app(library_factory) -> VidsortApp:
    """The demo's six folders (one clip each, two unsorted predicted): the layout tests."""
    settings = library_factory(dict.fromkeys(SIX_SCENES, 1), unsorted=3)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("city_night", 0.91), names[1]: ("desert", 0.55)})
    return VidsortApp(settings.with_changes(player={"mode": "none", "audio": False}))
