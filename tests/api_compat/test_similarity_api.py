"""GET /api/videos?order=, /api/groups and /api/duplicates in process, from similarity.json as
the core reads it (the pipeline that writes it is tested in tests/pipeline/similarity/test_similarity.py)."""

from __future__ import annotations

import typing

import pytest
from fastapi.testclient import TestClient

from api_compat.main import create_app
from api_compat.routes.library import Order
from tests.tui.conftest import predict_all
from vidsort_tui.core.library import Library
from vidsort_tui.core.list_order import ORDER_MODES
from vidsort_tui.core.similarity_file import (
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    write_similarity,
)


@pytest.fixture
def client(library_factory):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=4)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("sea", 0.5), names[1]: ("fire", 0.9), names[3]: ("sea", 0.2)})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client, settings, names


def _filenames(http, query=""):
    response = http.get("/api/videos" + query)
    assert response.status_code == 200
    return [v["filename"] for v in response.json()["videos"]]


def test_orders(client):
    http, settings, n = client
    assert _filenames(http) == _filenames(http, "?order=found") == n
    assert _filenames(http, "?order=confident") == [n[1], n[0], n[3], n[2]]
    assert _filenames(http, "?order=uncertain") == [n[3], n[0], n[1], n[2]]
    assert _filenames(http, "?order=similar") == n  # no similarity.json yet: as found
    write_similarity(settings.artifacts_dir, Similarity(lookalike_order=(n[2], n[0])))
    assert _filenames(http, "?order=similar") == [n[2], n[0], n[1], n[3]]
    bad = http.get("/api/videos?order=random")
    assert bad.status_code == 422
    assert "'found', 'confident', 'uncertain' or 'similar'" in bad.json()["detail"][0]["msg"]
    assert typing.get_args(Order) == ORDER_MODES


def test_groups_and_duplicates(client):
    http, settings, n = client
    assert http.get("/api/groups").json() == {"groups": []}
    assert http.get("/api/duplicates").json() == {"groups": []}
    filed = next((settings.data_dir / "sea").iterdir()).name
    write_similarity(
        settings.artifacts_dir,
        Similarity(
            groups=(LookalikeGroup((n[0], n[1], "7999999999999999.mp4"), "sea", 0.71),),
            duplicates=(DuplicateGroup((Copy(n[3], None), Copy(filed, "sea")), 0.98),),
        ),
    )
    assert http.get("/api/groups").json() == {
        "groups": [
            {
                "videos": [n[0], n[1]],
                "suggested_folder": "sea",
                "similarity": 0.71,
                "new_kind": False,
            }
        ]
    }  # the video that is not there is left out
    assert http.get("/api/duplicates").json() == {
        "groups": [{"videos": [{"filename": n[3], "folder": None},
                               {"filename": filed, "folder": "sea"}], "similarity": 0.98}]
    }  # fmt: skip
    schema = http.get("/openapi.json").json()["paths"]
    assert {"/api/groups", "/api/duplicates"} <= set(schema)


@pytest.mark.parametrize(
    "content", [b"{", b"[]", b'{"version": 1, "groups": 5}', b"\x00" * 10, b'"' * 5000]
)
def test_a_corrupt_artifact_is_an_empty_answer_never_a_5xx(client, content):
    http, settings, n = client
    (settings.artifacts_dir / "similarity.json").write_bytes(content)
    for path in ("/api/groups", "/api/duplicates"):
        response = http.get(path)
        assert response.status_code == 200 and response.json() == {"groups": []}
    assert _filenames(http, "?order=similar") == n
