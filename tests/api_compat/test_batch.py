"""POST /api/sort/batch files many videos as one undo step (a real uvicorn): one
POST /api/undo with the documented default count brings them all back."""

from __future__ import annotations

from vidsort_tui.core.library import Library


def test_batch_then_one_undo_over_a_live_server(library_factory, serve):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=5)
    names = Library(settings).unsorted()
    (settings.data_dir / "sea" / names[4]).write_bytes(b"taken")
    with serve(settings).client() as http:
        first = http.post("/api/sort", json={"filename": names[0], "folder": "fire"})
        assert first.status_code == 200
        items = [{"filename": n, "folder": "sea"} for n in names[1:3]]
        part = http.post("/api/sort/batch", json={"items": items})
        assert part.status_code == 200, part.text
        body = part.json()
        assert body["success"] and body["sorted"] == items and body["failed"] == []
        rest = [{"filename": n, "folder": "sea"} for n in names[3:]]  # the second part
        more = http.post("/api/sort/batch", json={"items": rest, "batch": body["batch"]}).json()
        assert more["batch"] == body["batch"] and not more["success"]
        assert [f["filename"] for f in more["failed"]] == [names[4]]
        assert "already exists" in more["failed"][0]["detail"]
        assert {"name": "sea", "count": 5, "key": "2"} in more["folders"]

        undone = http.post("/api/undo", json={}).json()["undone"]  # count=1: one step
        assert sorted(u["filename"] for u in undone) == sorted(names[1:4])
        assert all((settings.data_dir / n).exists() for n in names[1:4])
        assert (settings.data_dir / "fire" / names[0]).exists()  # the step before: untouched
        assert http.post("/api/undo").json()["undone"] == [{"filename": names[0], "folder": "fire"}]
        assert (settings.data_dir / "sea" / names[4]).read_bytes() == b"taken"


def test_batch_input_is_validated(library_factory, serve):
    settings = library_factory({"sea": 1}, unsorted=1)
    (name,) = Library(settings).unsorted()
    with serve(settings).client() as http:
        for body in (
            {"items": []},
            {"items": [{"filename": name}]},
            {"items": [{"filename": name, "folder": "sea"}], "batch": "../x"},
            {"items": [{"filename": name, "folder": "sea"}], "batch": 7},
        ):
            assert http.post("/api/sort/batch", json=body).status_code == 422, body
        refused = http.post(
            "/api/sort/batch", json={"items": [{"filename": name, "folder": "../x"}]}
        )
        assert refused.status_code == 400 and "folder" in refused.json()["detail"]
        assert (settings.data_dir / name).exists()
