"""Name and folder policy (ARCHITECTURE.md "Invariants"), with the default and documented patterns."""

from __future__ import annotations

import pytest

from vidsort_tui.core.config import DOCUMENTED_NAME_PATTERN, ConfigError, Settings
from vidsort_tui.core.errors import InvalidFolder, InvalidName
from vidsort_tui.core.library import Library
from vidsort_tui.core.names import NamePolicy


def _library(tmp_path, pattern: str | None = None) -> Library:
    overrides = {"data_dir": tmp_path, "artifacts_dir": tmp_path / ".artifacts"}
    if pattern:
        overrides["name_pattern"] = pattern
    return Library(Settings.load(overrides, environ={}))


BAD_EVERYWHERE = [
    "..",
    ".",
    "../7234.mp4",
    "a/7234.mp4",
    "/etc/7234.mp4",
    "7234\x00.mp4",
    "7234\n.mp4",
    "a\\b.mp4",
    ".7234.mp4",
    "7" * 296 + ".mp4",  # 300 bytes
    "",
    "7234.txt",
    "7234.mp4/",
    "\udcff7234.mp4",  # undecodable byte in a Linux file name
]


@pytest.mark.parametrize("name", BAD_EVERYWHERE)
@pytest.mark.parametrize("pattern", [None, DOCUMENTED_NAME_PATTERN])
def test_bad_names_are_invalid(tmp_path, name, pattern):
    library = _library(tmp_path, pattern)
    assert not library.is_valid_name(name)
    with pytest.raises(InvalidName):
        library.check_name(name)


@pytest.mark.parametrize(
    "name", ["٣٤٥.mp4", "७२३४.mp4", "１２３.mp4", "123.MP4", "12a.mp4", "123.mov"]
)
def test_documented_pattern_is_ascii_digits_dot_mp4_exactly(tmp_path, name):
    assert not _library(tmp_path, DOCUMENTED_NAME_PATTERN).is_valid_name(name)


def test_documented_pattern_accepts_the_documented_example(tmp_path):
    assert _library(tmp_path, DOCUMENTED_NAME_PATTERN).is_valid_name("7234567890123456.mp4")


@pytest.mark.parametrize(
    "name",
    [
        "7234567890123456.mp4",
        "My clip (1).MP4",
        "café.mov",
        "a.webm",
        "b.mkv",
        "c.m4v",
        "7" * 251 + ".mp4",
    ],
)
def test_default_pattern_accepts_safe_single_components(tmp_path, name):
    assert _library(tmp_path).is_valid_name(name)


def test_name_limit_is_in_bytes_not_characters(tmp_path):
    library = _library(tmp_path)
    assert library.is_valid_name("é" * 125 + ".mp4")  # 254 bytes
    assert not library.is_valid_name("é" * 126 + ".mp4")  # 256 bytes


@pytest.mark.parametrize(
    "folder",
    ["", " ", ".", "..", "../x", "a/b", "/tmp", "\x00", ".hidden", "a\\b", "x" * 256, 7, None],
)
def test_bad_folder_names(tmp_path, folder):
    library = _library(tmp_path)
    assert not library.is_valid_folder_name(folder)
    with pytest.raises(InvalidFolder):
        library.check_folder(folder)
    with pytest.raises(InvalidFolder):
        library.create_folder(folder)  # type: ignore[arg-type]


def test_folder_must_exist_and_be_a_real_directory(tmp_path):
    library = _library(tmp_path)
    (tmp_path / "afile").write_bytes(b"x")
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    assert library.check_folder("real") == "real"
    for name in ("missing", "afile", "linked"):
        with pytest.raises(InvalidFolder):
            library.check_folder(name)


@pytest.mark.parametrize("pattern", [r"\d+\.mp4)|(.+", r"(.+", r"\d+\.mp4)"])
def test_a_pattern_is_compiled_on_its_own_so_unbalanced_groups_are_refused(tmp_path, pattern):
    with pytest.raises(ConfigError, match="not a valid regex"):
        Settings.load({"data_dir": tmp_path, "name_pattern": pattern}, environ={})
    with pytest.raises(ConfigError):
        NamePolicy(pattern)


@pytest.mark.parametrize("pattern", [r".*", r".+\.mp4|.*", r"(?s).*", r"[^x]*"])
def test_no_pattern_can_admit_an_unsafe_name(tmp_path, pattern):
    library = _library(tmp_path, pattern)
    for name in ("../9.mp4", "a/b.mp4", "..", ".", "", ".hidden.mp4", "a\\b.mp4", "a\nb",
                 "x" * 300, "\udcff.mp4"):  # fmt: skip
        assert not library.is_valid_name(name), name
    assert library.is_valid_name("9.mp4")


@pytest.mark.parametrize("name", ["9999.mp4", "clip.MOV", "a.webm"])
def test_a_folder_cannot_be_named_like_a_video(tmp_path, name):
    library = _library(tmp_path)
    assert not library.is_valid_folder_name(name)
    with pytest.raises(InvalidFolder, match="named like a video"):
        library.create_folder(name)
    assert not (tmp_path / name).exists()
    (tmp_path / name).mkdir()  # made by another program: still not a category
    with pytest.raises(InvalidFolder):
        library.check_folder(name)
    assert name not in library.scan().categories


def test_with_the_documented_pattern_other_names_may_be_folders(tmp_path):
    library = _library(tmp_path, DOCUMENTED_NAME_PATTERN)
    assert library.create_folder("clip.mov").name == "clip.mov"  # not a video name here
    with pytest.raises(InvalidFolder, match="named like a video"):
        library.create_folder("9999.mp4")
