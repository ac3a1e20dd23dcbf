"""GET/HEAD /videos/{filename} from the opened descriptor: strict Range, HEAD, unreadable
folders and files -- against a real uvicorn (as an unprivileged user where root would read
anything)."""

from __future__ import annotations

import os
import shutil

import pytest

from vidsort_tui.core.library import Library


@pytest.fixture
def video(library_factory, serve):
    settings = library_factory({"sea": 1}, unsorted=1)
    name = Library(settings).unsorted()[0]
    with serve(settings).client() as client:
        yield client, name, (settings.data_dir / name).read_bytes()


def test_head_mirrors_get_without_a_body(video):
    client, name, data = video
    get, head = client.get(f"/videos/{name}"), client.head(f"/videos/{name}")
    assert head.status_code == 200 and head.content == b""
    for key in ("content-type", "content-length", "accept-ranges", "etag", "last-modified"):
        assert head.headers[key] == get.headers[key], key
    assert int(head.headers["content-length"]) == len(data) == len(get.content)
    part = client.head(f"/videos/{name}", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == b""
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    assert part.headers["content-length"] == "10"
    assert client.head("/videos/7999999999999999.mp4").status_code == 404
    assert client.head("/videos/..%2Fx.mp4").status_code in (400, 404)


@pytest.mark.parametrize(
    ("header", "status", "part"),
    [
        ("bytes=10-19", 206, (10, 20)),
        ("bytes=10-", 206, (10, None)),
        ("bytes=-100", 206, (-100, None)),
        ("bytes=0-999999999", 206, (0, None)),
        ("BYTES = 5-6", 206, (5, 7)),
        ("bytes=0-1,5-6", 200, (0, None)),  # several ranges: the whole file
        ("bytes=1_0-2_0", 400, None),  # int() would read these as 10 and 20
        ("bytes=١٠-٢٠", 400, None),  # Arabic-Indic digits (sent as UTF-8)
        ("bytes=\t10-20", 206, (10, 21)),
        ("bytes=²-³", 400, None),
        ("bytes=+1-2", 400, None),
        ("bytes=1-2-3", 400, None),
        ("bytes=5-2", 400, None),
        ("bytes=-", 400, None),
        ("bytes=", 400, None),
        ("items=0-1", 400, None),
        ("bytes=99999999-", 416, None),
    ],
)
def test_range_is_parsed_strictly(video, header, status, part):
    client, name, data = video
    response = client.get(f"/videos/{name}", headers={"Range": header.encode()})
    assert response.status_code == status, response.text[:200]
    if part is not None:
        assert response.content == data[part[0] : part[1]]
    if status == 416:
        assert response.headers["content-range"] == f"bytes */{len(data)}"


def test_if_range_with_a_stale_validator_sends_the_whole_file(video):
    client, name, data = video
    etag = client.head(f"/videos/{name}").headers["etag"]
    fresh = client.get(f"/videos/{name}", headers={"Range": "bytes=0-9", "If-Range": etag})
    stale = client.get(f"/videos/{name}", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert fresh.status_code == 206 and fresh.content == data[:10]
    assert stale.status_code == 200 and stale.content == data


def test_unreadable_folders_and_videos_are_clean_answers(library_factory, serve):
    """One folder the server may not read (``lost+found`` on a mounted drive) and one unreadable
    video: the other videos are still served, the unreadable one is a 403, nothing is a 500."""
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to drop root's permission override")
    settings = library_factory({"lost+found": 1, "sea": 1}, unsorted=2)
    library = Library(settings)
    hidden = library.scan().categories["lost+found"][0]
    visible = library.scan().categories["sea"][0]
    readable, unreadable = library.unsorted()
    (settings.data_dir / unreadable).chmod(0)
    (settings.data_dir / "lost+found").chmod(0)
    try:
        with serve(settings, permissions_apply=True).client() as client:
            for name, folder in ((visible, "sea"), (readable, "")):
                ok = client.get(f"/videos/{name}")
                assert ok.status_code == 200
                assert ok.content == (settings.data_dir / folder / name).read_bytes()
            denied = client.get(f"/videos/{unreadable}")
            assert denied.status_code == 403 and "permission denied" in denied.json()["detail"]
            assert client.head(f"/videos/{unreadable}").status_code == 403
            assert client.get(f"/videos/{hidden}").status_code == 404
            folders = {f["name"]: f["count"] for f in client.get("/api/folders").json()["folders"]}
            assert folders == {"lost+found": 0, "sea": 1}
            assert client.get("/api/videos").json()["total"] == 2
    finally:
        (settings.data_dir / "lost+found").chmod(0o755)
        (settings.data_dir / unreadable).chmod(0o644)
