"""`g` and the near-duplicate flag on what a real retrain found (similarity.json written by the
pipeline, not by the test): six snow clips make a group, a re-encoded copy of a filed clip is
flagged, and the group is filed and undone as one step."""

from __future__ import annotations

import shutil

from bench.duplicate_variants import make_variant
from tests.tui.conftest import rendered, wait_for
from vidsort_tui.core.similarity_store import load_similarity
from vidsort_tui.services import retrain
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.confirm_group import ConfirmGroup
from vidsort_tui.tui.group_screen import GroupScreen
from vidsort_tui.tui.video_list import VideoList

SNOW = [f"730000000000000{seed}.mp4" for seed in range(6)]
COPY = "7400000000000002.mp4"


async def test_groups_and_copies_found_by_a_retrain(library_factory, clip_factory):
    settings = library_factory({"fire": 3, "sea": 3})
    data = settings.data_dir
    for seed, name in enumerate(SNOW):
        shutil.copyfile(clip_factory("snow", seed=200 + seed), data / name)
    filed = sorted((data / "sea").iterdir())[0]
    make_variant(filed, data / COPY, "crf35")
    assert retrain.run(settings).ok
    found = load_similarity(settings)
    assert found.groups, "the retrain found no group: nothing for g to show"
    group = found.groups[0]
    settings = settings.with_changes(player={"mode": "none", "audio": False})
    async with VidsortApp(settings).run_test(size=(100, 30)) as pilot:
        table = pilot.app.screen.query_one(VideoList)
        await wait_for(pilot, lambda: COPY in table.flagged)
        entry = next(e for e in pilot.app.screen.entries if e.filename == COPY)
        # (procedural clips of one scene share a picture template: the other sea clips may be
        # found too, so only the start is certain)
        assert pilot.app.screen.copy_text(entry).startswith("same as 7000….mp4 in sea")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        title = rendered(pilot.app, "#group-title")
        assert f"{len(group.videos)} videos · similarity {group.similarity:.2f}" in title
        members = pilot.app.screen.query_one("#members")
        shown = [members.get_option_at_index(i).id for i in range(members.option_count)]
        assert shown == list(group.videos) and set(shown) <= set(SNOW)
        await pilot.press("1")  # fire: the group is filed where the user says
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmGroup))
        await pilot.press("y")
        await wait_for(pilot, lambda: all((data / "fire" / n).exists() for n in shown))
        await pilot.press("u")
        await wait_for(pilot, lambda: all((data / n).exists() for n in shown), seconds=10)
        assert not any((data / "fire" / n).exists() for n in shown)
