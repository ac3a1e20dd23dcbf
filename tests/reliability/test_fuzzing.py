"""Fuzzing: schemathesis against the OpenAPI schema, hypothesis on the name and folder rules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from api_compat.guards import MAX_BODY
from vidsort_tui.core.config import DOCUMENTED_NAME_PATTERN, Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Library


def tree(root: Path) -> dict[str, bytes | None]:
    """Every entry under root (directories as None), to prove nothing changed."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in files:
            path = os.path.join(dirpath, f)
            out[os.path.relpath(path, root)] = Path(path).read_bytes()
    return out


@pytest.fixture
def fuzz_library(library_factory, tmp_path):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=3)
    (tmp_path / "outside.mp4").write_bytes(b"must never change")
    os.symlink(tmp_path / "outside.mp4", settings.data_dir / "7666666666666666.mp4")
    return settings


@pytest.fixture
def api_schema(fuzz_library, serve):
    """The schema as the real server publishes it, calls going to that server over HTTP.

    (Not schemathesis' in-process ASGI transport: its exit hook waits forever on an event loop
    that is already gone, which kept pytest from exiting after a green run.)
    """
    server = serve(fuzz_library)
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")

    @schema.hook
    def flatmap_body(_context, body):  # also bodies just over the size limit
        if isinstance(body, dict):
            return st.sampled_from([body, {**body, "padding": "x" * MAX_BODY}])
        return st.just(body)

    return schema.exclude(path="/api/retrain", method="POST")  # spawns retrain processes


def body_size_is_limited(_ctx, response, _case) -> None:
    """A request body over the limit is a 413, whatever else is wrong with it."""
    sent = response.request.body or b""
    if len(sent) > MAX_BODY:
        assert response.status_code == 413, (len(sent), response.status_code)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_nothing_outside_touched(case, fuzz_library, tmp_path):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, body_size_is_limited])
    assert (tmp_path / "outside.mp4").read_bytes() == b"must never change"
    assert {p.name for p in tmp_path.iterdir()} >= {"outside.mp4", "videos"}


names = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789٣٤５./\\\x00mp4", max_size=40),
    st.sampled_from(
        ["..", ".", "../x.mp4", "/etc/passwd", "a/b.mp4", "x" * 5000, "7100000000000000.mp4"]
    ),
)


@pytest.fixture(scope="module")
def hyp_root(tmp_path_factory):
    return tmp_path_factory.mktemp("hyp")


def _fresh(base: Path, clip: Path, pattern: str | None) -> tuple[Settings, Path]:
    root = base / "box"
    shutil.rmtree(root, ignore_errors=True)
    data = root / "videos"
    (data / "sea").mkdir(parents=True)
    shutil.copyfile(clip, data / "7100000000000000.mp4")
    (root / "sentinel.mp4").write_bytes(b"outside")
    overrides = {"data_dir": data, "artifacts_dir": root / "art"}
    if pattern:
        overrides["name_pattern"] = pattern
    return Settings.load(overrides, environ={}), root


@pytest.mark.parametrize("pattern", [None, DOCUMENTED_NAME_PATTERN])
@given(name=names, folder=names)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_sort_with_any_text_never_escapes_or_overwrites(
    hyp_root, clip_factory, pattern, name, folder
):
    settings_, root = _fresh(hyp_root, clip_factory("sea"), pattern)
    library = Library(settings_)
    before = tree(root)
    try:
        library.sort(name, folder)
    except LibraryError:
        assert tree(root) == before  # a refused sort changes nothing
        return
    after = tree(root)
    assert after[f"videos/{folder}/{name}"] == before[f"videos/{name}"]
    assert after["sentinel.mp4"] == b"outside"


@given(name=names)
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_valid_names_are_single_safe_components(hyp_root, clip_factory, name):
    settings_, _root = _fresh(hyp_root, clip_factory("sea"), None)
    library = Library(settings_)
    if library.is_valid_name(name):
        assert "/" not in name and "\x00" not in name and name not in {".", ".."}
        assert not name.startswith(".") and len(name.encode()) <= 255
        assert (library.root / name).resolve().parent == library.root.resolve()
    try:
        path = library.locate(name)
    except LibraryError:
        return
    assert library.root.resolve() in path.resolve().parents


@given(folder=names)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_create_folder_makes_exactly_one_direct_subfolder(hyp_root, clip_factory, folder):
    settings_, root = _fresh(hyp_root, clip_factory("sea"), None)
    before = tree(root)
    try:
        Library(settings_).create_folder(folder)
    except LibraryError:
        assert tree(root) == before
        return
    # In the library exactly one folder; the artifacts folder may record its number key.
    added = {p for p in set(tree(root)) - set(before) if p.split("/")[0] != "art"}
    assert added == {f"videos/{folder}"} and (settings_.data_dir / folder).is_dir()
