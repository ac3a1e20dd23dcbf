"""Shared fixtures: real H.264 clips (generated once per session, then copied) and libraries."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import Server
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import Prediction, write_predictions
from vidsort_tui.core.similarity_file import (
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    write_similarity,
)
from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.demo.scenes import SCENE_NAMES

SHARED_REALCLIPS = Path(__file__).resolve().parents[2] / "shared" / "realclips"
SCENE_CYCLE = SCENE_NAMES

ClipFactory = Callable[..., Path]


@pytest.fixture(scope="session")
def clip_factory(tmp_path_factory: pytest.TempPathFactory) -> ClipFactory:
    """clip_factory(scene, seed=0, seconds=1.5, size=(180, 320)) -> path of a cached real clip.

    Copy the file before moving or changing it; the cache is shared by the whole session.
    """
    cache = tmp_path_factory.mktemp("clips")

    def make(
        scene: str, seed: int = 0, seconds: float = 1.5, size: tuple[int, int] = (180, 320)
    ) -> Path:
        path = cache / f"{scene}-{seed}-{seconds}-{size[0]}x{size[1]}.mp4"
        if not path.exists():
            write_clip(path, ClipSpec(scene, seconds, seed, size=size, gop_seconds=0.5))
        return path

    return make


LibraryFactory = Callable[..., Settings]


@pytest.fixture
def library_factory(tmp_path: Path, clip_factory: ClipFactory) -> LibraryFactory:
    """library_factory({"sea": 3, "fire": 2}, unsorted=4) -> Settings of a fresh library.

    Category folders get clips of the scene named like the folder (or cycled scenes for other
    names); unsorted clips cycle through the folders' scenes. Names are 16-digit .mp4 names.
    """
    counter = iter(range(10**6))

    def build(
        folders: Mapping[str, int], unsorted: int = 0, name_pattern: str | None = None
    ) -> Settings:
        data = tmp_path / "videos"
        artifacts = tmp_path / "artifacts"
        data.mkdir(parents=True, exist_ok=True)
        artifacts.mkdir(parents=True, exist_ok=True)
        scenes = {}
        for i, (folder, n) in enumerate(folders.items()):
            scene = folder if folder in SCENE_CYCLE else SCENE_CYCLE[i % len(SCENE_CYCLE)]
            scenes[folder] = scene
            (data / folder).mkdir(exist_ok=True)
            for k in range(n):
                name = f"{7000000000000000 + next(counter)}.mp4"
                shutil.copyfile(clip_factory(scene, seed=k), data / folder / name)
        order = list(scenes.values()) or list(SCENE_CYCLE)
        for k in range(unsorted):
            name = f"{7100000000000000 + next(counter)}.mp4"
            shutil.copyfile(clip_factory(order[k % len(order)], seed=100 + k), data / name)
        # auto_train off: a test's library must not start a retrain of its own (the tests
        # of the first run turn it on); children get it through Settings.to_env().
        overrides: dict[str, object] = {
            "data_dir": data, "artifacts_dir": artifacts, "model": {"auto_train": False}
        }  # fmt: skip
        if name_pattern:
            overrides["name_pattern"] = name_pattern
        return Settings.load(overrides, environ={})

    return build


@pytest.fixture
def similar_library(library_factory: LibraryFactory) -> tuple[Settings, list[str], Path]:
    """fire, sea, snow (2 clips each); 4 unsorted u0..u3, three predicted; u2 is a real copy
    of a clip filed in sea; groups (u0, u3) -> fire and (u1, u2) with no suggestion, written
    with the core's writer (the names are real clips; u0 and u3 are both fire scenes, u1 and
    u2 sea scenes). The settings have the player off."""
    settings = library_factory({"fire": 2, "sea": 2, "snow": 2}, unsorted=4)
    u = Library(settings).unsorted()
    original = sorted((settings.data_dir / "sea").iterdir())[0]
    shutil.copyfile(original, settings.data_dir / u[2])
    guesses = {u[0]: ("sea", 0.93), u[1]: ("fire", 0.85), u[2]: ("snow", 0.42)}
    write_predictions(
        settings.artifacts_dir, {n: Prediction(f, p, ((f, p),)) for n, (f, p) in guesses.items()}
    )
    similarity = Similarity(
        lookalike_order=(u[3], u[0], u[2], u[1]),
        groups=(
            LookalikeGroup((u[0], u[3]), "fire", 0.91),
            LookalikeGroup((u[1], u[2]), None, 0.88),
        ),
        duplicates=(DuplicateGroup((Copy(u[2], None), Copy(original.name, "sea")), 0.97),),
    )
    write_similarity(settings.artifacts_dir, similarity)
    return settings.with_changes(player={"mode": "none", "audio": False}), u, original


@pytest.fixture
def new_kind_library(library_factory: LibraryFactory) -> tuple[Settings, list[str]]:
    """fire, sea, snow (2 clips each); u0 → sea 93%; u1 a new kind (best guess fire, 95%:
    confident, yet no folder fits); u2 → snow 42%; u3 no prediction."""
    settings = library_factory({"fire": 2, "sea": 2, "snow": 2}, unsorted=4)
    u = Library(settings).unsorted()
    write_predictions(
        settings.artifacts_dir,
        {
            u[0]: Prediction("sea", 0.93, (("sea", 0.93),)),
            u[1]: Prediction("fire", 0.95, (("fire", 0.95),), new_kind=True),
            u[2]: Prediction("snow", 0.42, (("snow", 0.42),)),
        },
    )
    return settings.with_changes(player={"mode": "none", "audio": False}), u


def wait_until(condition: Callable[[], object], seconds: float) -> None:
    """Poll ``condition`` (for results another process produces) until true or time is up."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def realclips_dir() -> Path:
    """../shared/realclips, or skip the test when this checkout has no shared folder."""
    if not SHARED_REALCLIPS.is_dir():
        pytest.skip("../shared/realclips is not present in this checkout")
    return SHARED_REALCLIPS


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    """serve(settings, workers=1, **Server options) -> a running real server; all are
    stopped afterwards."""
    servers: list[Server] = []

    def start(settings: Settings | None, workers: int = 1, **options: Any) -> Server:
        servers.append(Server(settings, workers, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


EXIT_GRACE_SECONDS = 120


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Turn a hang at interpreter exit into a failure with every thread's stack.

    A library's exit hook once waited forever after a green run and CI sat out its whole
    time limit with nothing to show; now such a hang costs two minutes and names its cause.
    """
    import faulthandler
    import sys

    faulthandler.dump_traceback_later(EXIT_GRACE_SECONDS, exit=True, file=sys.__stderr__)
