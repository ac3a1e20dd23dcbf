"""GET /api/page-settings: the page follows the config file the terminal app reads (its
[keys] and accept_all.threshold), through a real uvicorn started as `--serve` starts it."""

from __future__ import annotations

from api_compat.page_keys import browser_key
from vidsort_tui.core.config import Settings

CONFIG = """\
[keys]
next = "x, ctrl+n"
accept = "enter,y"
folder_1 = "a"
help = "question_mark"
[accept_all]
threshold = 0.9
"""


def test_the_page_gets_the_config_files_keymap_and_threshold(library_factory, serve, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    made = library_factory({"fire": 1})
    settings = Settings.load({"data_dir": made.data_dir, "artifacts_dir": made.artifacts_dir,
                              "config_file": config}, environ={})  # fmt: skip
    with serve(settings).client() as client:
        body = client.get("/api/page-settings").json()
    assert body["accept_threshold"] == 0.9
    keys, labels = body["keys"], body["key_labels"]
    assert keys["next"] == ["x", "ctrl+n"] and labels["next"] == ["x", "ctrl+n"]
    assert keys["accept"] == ["Enter", "y"] and labels["accept"] == ["Enter", "y"]
    assert keys["folder_1"] == ["a"] and keys["folder_10"] == ["0"]
    assert keys["previous"] == ["k", "ArrowUp"] and labels["previous"] == ["k", "↑"]
    assert keys["help"] == ["?"] and keys["pause"] == [" "] and labels["pause"] == ["space"]


def test_defaults_without_a_config_file(library_factory, serve):
    with serve(library_factory({"fire": 1})).client() as client:
        body = client.get("/api/page-settings").json()
    assert body["accept_threshold"] == 0.8
    assert body["keys"]["next"] == ["j", "ArrowDown"] and body["keys"]["accept_all"] == ["A"]
    assert [body["keys"][f"folder_{i}"] for i in range(1, 11)] == [
        [str(i % 10)] for i in range(1, 11)
    ]


def test_textual_key_names_in_the_browsers_words():
    said = {
        "j": "j", "A": "A", "down": "ArrowDown", "left": "ArrowLeft", "enter": "Enter",
        "space": " ", "slash": "/", "question_mark": "?", "full_stop": ".", "comma": ",",
        "f5": "F5", "ctrl+n": "ctrl+n", "shift+tab": "shift+Tab", "shift+a": "A",
        "shift+ctrl+left": "ctrl+shift+ArrowLeft",
    }  # fmt: skip
    assert {key: browser_key(key) for key in said} == said
    for unknown in ("no_such_key", "hyper+x", "ctrl+"):
        assert browser_key(unknown) is None
