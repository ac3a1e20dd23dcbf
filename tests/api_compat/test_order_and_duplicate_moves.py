"""POST/GET /api/order (the remembered list order, shared with the TUI) and
POST /api/duplicates/move, in process on real files."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api_compat.main import create_app
from vidsort_tui.core.list_order import read_order
from vidsort_tui.core.list_order import write_order as tui_writes


@pytest.fixture
def client(similar_library):
    settings, names, original = similar_library
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client, settings, names, original


def test_order_is_shared_with_the_terminal_app(client):
    http, settings, _, _ = client
    assert http.get("/api/order").json() == {"order": "found"}
    assert http.post("/api/order", json={"order": "uncertain"}).json() == {"order": "uncertain"}
    assert read_order(settings.artifacts_dir) == "uncertain"  # what the TUI opens with
    tui_writes(settings.artifacts_dir, "similar")  # o in the terminal
    assert http.get("/api/order").json() == {"order": "similar"}


@pytest.mark.parametrize("body", [{"order": "random"}, {"order": None}, {}, {"order": ["found"]}])
def test_a_bad_order_is_422_and_changes_nothing(client, body):
    http, settings, _, _ = client
    assert http.post("/api/order", json=body).status_code == 422
    assert read_order(settings.artifacts_dir) == "found"


def test_move_to_duplicates_then_undo(client):
    http, settings, names, original = client
    data = settings.data_dir
    answer = http.post("/api/duplicates/move", json={"filename": names[2]})
    assert answer.status_code == 200
    assert answer.json()["folder"] == "duplicates" and (data / "duplicates" / names[2]).exists()
    assert (data / "sea" / original.name).exists()  # the other copy is not touched
    assert http.post("/api/undo", json={}).json()["undone"] == [
        {"filename": names[2], "folder": "duplicates"}
    ]
    assert (data / names[2]).exists()


@pytest.mark.parametrize(
    ("filename", "status"), [("../x.mp4", 400), ("7999999999999999.mp4", 404), (None, 422)]
)
def test_move_to_duplicates_refuses_bad_names(client, filename, status):
    http, settings, _, _ = client
    answer = http.post("/api/duplicates/move", json={"filename": filename})
    assert answer.status_code == status
    assert not any((settings.data_dir / "duplicates").glob("*"))
