"""Name and folder policy (ARCHITECTURE.md "Invariants"), with the default and documented patterns."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pathlib

import pytest

from vidsort_tui.core.config import DOCUMENTED_NAME_PATTERN, ConfigError, Settings
from vidsort_tui.core.display import EscapingFormatter, display_name, display_text
from vidsort_tui.core.errors import AlreadyExists, InvalidFolder, InvalidName
from vidsort_tui.core.library import Library
from vidsort_tui.core.names import NamePolicy, folder_key, twin_of


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


# ----- names that do not show what they are (issue 19) ------------------------------------
C1_NAMES = ["\u009d52;c;ZWNobyBQV05FRA==\u009cclip", "\u009d2;title\u009c", "a\u009bb", "a\u0090b",
            "a\u009fb", "a\u0085b", "a\u0080b"]  # fmt: skip
DIRECTION_NAMES = ["evil\u202etxt.4pm", "a\u202ab", "a\u202db", "a\u2066b", "a\u2067b",
                   "a\u2068b", "a\u2069b", "a\u200eb", "a\u200fb", "a\u061cb"]  # fmt: skip
SEPARATOR_NAMES = ["a\u2028b", "a\u2029b", "a\ufff9b\ufffbc"]
INVISIBLE_NAMES = ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\u2060", " ", "\u3000",
                   " \u00a0\t", "\u3164", "\u2800", "\u00ad", "\ufe0f"]  # fmt: skip
HOSTILE = C1_NAMES + DIRECTION_NAMES + SEPARATOR_NAMES


@pytest.mark.parametrize("stem", HOSTILE + INVISIBLE_NAMES)
@pytest.mark.parametrize("pattern", [None, r".*"])
def test_names_that_do_not_show_what_they_are_are_refused_for_videos_and_folders(
    tmp_path, stem, pattern
):
    library = _library(tmp_path, pattern)
    assert not library.is_valid_name(stem + ".mp4")
    with pytest.raises(InvalidName):
        library.check_name(stem + ".mp4")
    assert not library.is_valid_folder_name(stem)
    with pytest.raises(InvalidFolder, match="invalid folder name"):
        library.create_folder(stem)
    assert set(os.listdir(tmp_path)) <= {".artifacts"}


@pytest.mark.parametrize(
    ("name", "why"),
    [("a\u009bb", "contains a control character"), ("a\u202eb", "contains a text-direction "
     "control"), ("a\u2028b", "contains a line or paragraph separator"),
     ("\u200b\u200b", "shows nothing (only spaces or invisible characters)")],
)  # fmt: skip
def test_a_refused_folder_name_says_which_rule_it_breaks(tmp_path, name, why):
    with pytest.raises(InvalidFolder) as refused:
        _library(tmp_path).create_folder(name)
    assert str(refused.value).endswith(f": it {why}")
    assert name not in str(refused.value)  # the name itself is shown escaped (repr)


@pytest.mark.parametrize(
    "name",
    ["שלום", "مرحبا", "👨\u200d👩\u200d👧 family", "café", "cafe\u0301", "a b", "x\u200by",
     "Ünïcödé", "日本語", "emoji ❤\ufe0f"],
)  # fmt: skip
def test_names_of_every_script_still_pass(tmp_path, name):
    library = _library(tmp_path)
    assert library.is_valid_name(f"{name}.mp4") and library.is_valid_folder_name(name)
    assert library.create_folder(name).name == name


@pytest.mark.parametrize(
    ("existing", "asked"),
    [("café", "cafe\u0301"), ("cafe\u0301", "café"), ("BARS", "Bars"), ("BARS", "bars"),
     ("Straße", "STRASSE"), ("bars", "ba\u200brs"), ("bars", "\ufeffbars")],
)  # fmt: skip
def test_a_folder_that_looks_like_an_existing_one_is_refused_naming_it(tmp_path, existing, asked):
    library = _library(tmp_path)
    library.create_folder(existing)
    for attempt in (library.create_folder, library.check_new_folder):
        with pytest.raises(AlreadyExists) as refused:
            attempt(asked)
        assert f"folder {existing!r} already exists" in str(refused.value)
        assert refused.value.status == 409
    assert sorted(os.listdir(tmp_path)) == sorted([".artifacts", existing])
    assert [f.name for f in library.scan().folders] == [existing]


def test_the_twin_check_sees_folders_made_by_other_programs_too(tmp_path):
    library = _library(tmp_path)
    (tmp_path / "Sea").mkdir()  # a file manager made it
    with pytest.raises(AlreadyExists, match="'Sea' already exists"):
        library.create_folder("sea")
    with pytest.raises(AlreadyExists, match="'Sea' already exists$"):
        library.check_new_folder("Sea")
    assert library.check_new_folder("Seal") == "Seal"
    assert not (tmp_path / "Seal").exists()  # only checked


def test_twin_of_compares_as_a_person_reads():
    folders = ["BARS", "café", "duplicates"]
    assert twin_of("bars", folders) == "BARS"
    assert twin_of("CAFE\u0301", folders) == "café"
    assert twin_of("Duplicates", folders) == "duplicates"
    assert twin_of("BARS", folders) == "BARS"
    assert twin_of("bar", folders) is None
    assert folder_key("Cafe\u0301\u200b") == folder_key("café")


def test_files_and_folders_named_so_are_reported_escaped_not_listed(tmp_path):
    library = _library(tmp_path)
    (tmp_path / "sea").mkdir()
    names = ["\u009d52;c;ZWNobyBQV05FRA==\u009cclip.mp4", "evil\u202etxt.4pm.mp4",
             "a\u2028b.mp4", "\u200b.mp4", "ok.mp4"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sea" / "\u009b31m.mp4").write_bytes(b"x")
    (tmp_path / "\u009b31mred").mkdir()
    (tmp_path / "\u009b31mred" / "1.mp4").write_bytes(b"x")
    (tmp_path / "\u200b\u200b").mkdir()
    snapshot = library.scan()
    assert snapshot.unsorted == ["ok.mp4"] and list(snapshot.categories) == ["sea"]
    assert snapshot.categories["sea"] == []
    assert snapshot.irregular == {
        "\\x9d52;c;ZWNobyBQV05FRA==\\x9cclip.mp4":
            "a file whose name contains a control character (rename it to sort it)",
        "evil\\u202etxt.4pm.mp4":
            "a file whose name contains a text-direction control (rename it to sort it)",
        "a\\u2028b.mp4":
            "a file whose name contains a line or paragraph separator (rename it to sort it)",
        "\u200b.mp4":
            "a file whose name shows nothing (only spaces or invisible characters) "
            "(rename it to sort it)",
        "sea/\\x9b31m.mp4":
            "a file whose name contains a control character (rename it to sort it)",
        "\\x9b31mred/":
            "a folder whose name contains a control character (rename it to sort into it)",
        "\u200b\u200b/":
            "a folder whose name shows nothing (only spaces or invisible characters) "
            "(rename it to sort into it)",
    }  # fmt: skip


def test_display_escapes_every_character_a_terminal_acts_on():
    assert display_name("\u009d52;c;QQ==\u009cclip.mp4") == "\\x9d52;c;QQ==\\x9cclip.mp4"
    assert display_name("a\x1b]2;t\x07b\\c\udcff.mp4") == "a\\x1b]2;t\\x07b\\\\c\\xff.mp4"
    assert display_name("evil\u202etxt\u2066\u2028.mp4") == "evil\\u202etxt\\u2066\\u2028.mp4"
    assert display_text("path\\to\x9b31m") == "path\\to\\x9b31m"  # text: backslashes kept
    assert display_name("שלום café 👨\u200d👩.mp4") == "שלום café 👨\u200d👩.mp4"
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x202E, 0x2066, 0x2028, 0x2029, 0x200F]:
        assert chr(code) not in display_text(f"a{chr(code)}b")


def test_log_lines_are_escaped(caplog):
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "cannot read %s", (
        "\u009d52;c;QQ==\u009c\nforged line",), None)  # fmt: skip
    line = EscapingFormatter("%(levelname)s %(message)s").format(record)
    assert line == "WARNING cannot read \\x9d52;c;QQ==\\x9c\\nforged line"


def test_a_category_named_like_the_duplicates_folder_does_not_stop_moving_a_copy_aside(tmp_path):
    library = _library(tmp_path)
    library.create_folder("Duplicates")  # the user's own category
    assert library.create_folder("duplicates").name == "duplicates"  # vidsort's reserved one
    with pytest.raises(AlreadyExists, match="'Duplicates' already exists"):
        library.create_folder("DUPLICATES")


ROUNDS = 300


def _create_in_rounds(root: str, name: str, barrier, results) -> None:
    """In each round's library, at the same moment as the others: create ``name``."""
    libraries = [_library(pathlib.Path(root) / str(r)) for r in range(ROUNDS)]
    for library in libraries:
        barrier.wait()
        try:
            library.create_folder(name)
            results.put(1)
        except AlreadyExists:
            results.put(0)


def test_processes_creating_twins_at_once_make_one_folder(tmp_path):
    """The check and the mkdir run under the library's lock: never two twins."""
    context = multiprocessing.get_context("fork")
    for r in range(ROUNDS):
        (tmp_path / str(r)).mkdir()
    asked = ["BARS", "bars", "Bars", "ba\u200brs"]
    barrier, results = context.Barrier(len(asked)), context.Queue()
    workers = [context.Process(target=_create_in_rounds, args=(str(tmp_path), name, barrier,
                                                               results)) for name in asked]  # fmt: skip
    for worker in workers:
        worker.start()
    created = sum(results.get(timeout=60) for _ in range(ROUNDS * len(asked)))
    for worker in workers:
        worker.join(10)
    made = [len([p for p in os.listdir(tmp_path / str(r)) if not p.startswith(".")])
            for r in range(ROUNDS)]  # fmt: skip
    assert made == [1] * ROUNDS and created == ROUNDS
