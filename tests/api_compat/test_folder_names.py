"""Names that do not show what they are, and look-alike folders, over a real uvicorn: every
new-folder, sort and batch request with one is a 4xx that creates and moves nothing, never a
5xx; a twin of an existing folder is a 409 naming it; such names on disk are not listed."""

from __future__ import annotations

import json
import shutil

import pytest

from vidsort_tui.core.library import Library
from vidsort_tui.core.names import character_problem

HOSTILE = {
    "OSC 52 (sets the clipboard)": "\u009d52;c;ZWNobyBQV05FRA==\u009cx",
    "OSC 2 (window title)": "\u009d2;title\u009c",
    "CSI": "a\u009b31mb",
    "DCS": "a\u0090b",
    "APC": "a\u009fb",
    "right-to-left override": "evil\u202etxt.4pm",
    "left-to-right embedding": "a\u202ab",
    "first-strong isolate": "a\u2068b",
    "pop directional isolate": "a\u2069b",
    "right-to-left mark": "a\u200fb",
    "Arabic letter mark": "a\u061cb",
    "line separator": "a\u2028b",
    "paragraph separator": "a\u2029b",
    "zero-width only": "\u200b\u200b",
    "zero-width no-break space only": "\ufeff",
    "word joiner only": "\u2060",
    "white space only": " \u3000 ",
    "undecodable byte": "a\udcffb",
}


@pytest.fixture
def server(library_factory, serve):
    settings = library_factory({"BARS": 1, "café": 1}, unsorted=2)
    return serve(settings), settings, Library(settings).unsorted()


def _post(client, path, body):
    """The body as JSON text that may hold lone surrogates (json.dumps escapes them)."""
    return client.post(path, content=json.dumps(body), headers={"content-type":
                                                                "application/json"})  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_new_folder_that_does_not_show_what_it_is_is_a_400(server, name):
    server, settings, videos = server
    before = sorted(p.name for p in settings.data_dir.iterdir())
    with server.client() as client:
        created = _post(client, "/api/folders", {"name": name})
        assert created.status_code == 400, created.text
        assert created.json()["detail"].startswith("invalid folder name")
        sort = _post(client, "/api/sort", {"filename": videos[0], "folder": name})
        assert sort.status_code == 400, sort.text
        sort = _post(client, "/api/sort", {"filename": f"{name}.mp4", "folder": "BARS"})
        assert sort.status_code == 400, sort.text
        assert sort.json()["detail"].split(": it ")[1] == character_problem(name), sort.text
        batch = _post(client, "/api/sort/batch", {"items": [
            {"filename": f"{name}.mp4", "folder": "BARS"},
            {"filename": videos[0], "folder": name}]})  # fmt: skip
        assert batch.status_code == 400, batch.text
        mixed = _post(client, "/api/sort/batch", {"items": [
            {"filename": videos[0], "folder": "BARS"},
            {"filename": f"{name}.mp4", "folder": "BARS"}]})  # fmt: skip
        assert mixed.status_code == 200, mixed.text
        assert mixed.json()["failed"][0]["detail"].startswith("invalid video name")
        assert client.post("/api/undo").status_code == 200
    assert sorted(p.name for p in settings.data_dir.iterdir()) == before


@pytest.mark.parametrize(
    ("asked", "existing"),
    [("Bars", "BARS"), ("bars", "BARS"), ("ba\u200brs", "BARS"), ("\ufeffBARS", "BARS"),
     ("cafe\u0301", "café"), ("CAFÉ", "café"), ("CAFE\u0301", "café")],
)  # fmt: skip
def test_a_folder_that_looks_like_an_existing_one_is_a_409_naming_it(server, asked, existing):
    server, settings, _ = server
    with server.client() as client:
        created = client.post("/api/folders", json={"name": asked})
        assert created.status_code == 409, created.text
        assert f"folder {existing!r} already exists" in created.json()["detail"]
        folders = [f["name"] for f in client.get("/api/folders").json()["folders"]]
        assert sorted(folders) == ["BARS", "café"]
        assert client.post("/api/folders", json={"name": "bars 2"}).status_code == 201


def test_files_and_folders_named_so_on_disk_are_not_listed(server):
    server, settings, videos = server
    clip = settings.data_dir / videos[0]
    for name in HOSTILE.values():
        if "\udcff" not in name:
            shutil.copyfile(clip, settings.data_dir / f"{name}.mp4")
    (settings.data_dir / "\u009b31mred").mkdir()
    with server.client() as client:
        listed = [v["filename"] for v in client.get("/api/videos").json()["videos"]]
        assert sorted(listed) == sorted(videos)
        folders = [f["name"] for f in client.get("/api/folders").json()["folders"]]
        assert sorted(folders) == ["BARS", "café"]
        hostile = next(iter(HOSTILE.values())) + ".mp4"
        assert client.get(f"/videos/{hostile}").status_code == 400
