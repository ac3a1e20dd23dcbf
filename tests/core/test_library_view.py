"""The library as shown (core.library_view), the one object the TUI and every API worker
show from: one scan gives the videos in order, the keyed folders and the look-alikes."""

from __future__ import annotations

from vidsort_tui.core.library_view import LibraryView


def test_one_look_shows_videos_in_order_folders_with_keys_and_lookalikes(similar_library):
    settings, u, original = similar_library
    view = LibraryView(settings)
    assert view.listing.similarity is view.similarity  # one parse of similarity.json
    assert [v.filename for v in view.look("found").videos] == u
    assert [v.filename for v in view.look("similar").videos] == [u[3], u[0], u[2], u[1]]
    shown = view.look("confident")
    assert [v.filename for v in shown.videos] == [u[0], u[1], u[2], u[3]]
    assert shown.videos[0].prediction.predicted_folder == "sea"
    assert [(f.name, f.count, f.key) for f in shown.folders] == [
        ("fire", 2, 1), ("sea", 2, 2), ("snow", 2, 3)
    ]  # fmt: skip
    assert [g.videos for g in shown.similarity.groups] == [(u[0], u[3]), (u[1], u[2])]
    assert shown.similarity.copies_of(original.name, "sea")[0].filename == u[2]
    made = view.create_folder("beach")  # first by name, the next free key
    assert (made.name, made.key) == ("beach", 4)
    assert [(f.name, f.key) for f in view.folders()][0] == ("beach", 4)
