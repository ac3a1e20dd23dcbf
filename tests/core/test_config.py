"""Settings precedence: CLI flag > VIDSORT_* environment > documented default."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidsort_tui.core.config import DEFAULT_NAME_PATTERN, ConfigError, Settings


def test_documented_defaults():
    settings = Settings.load({}, environ={})
    assert settings.data_dir == Path("data/Favorites/videos")
    assert settings.artifacts_dir == Path("artifacts")
    assert settings.name_pattern == DEFAULT_NAME_PATTERN
    assert settings.host == "127.0.0.1" and settings.port == 8000


def test_environment_beats_default_and_flag_beats_environment():
    env = {
        "VIDSORT_DATA_DIR": "/env/videos",
        "VIDSORT_PORT": "9001",
        "VIDSORT_NAME_PATTERN": r"\d+\.mp4",
    }
    from_env = Settings.load({}, environ=env)
    assert from_env.data_dir == Path("/env/videos") and from_env.port == 9001
    assert from_env.name_pattern == r"\d+\.mp4"
    from_flag = Settings.load({"data_dir": Path("/flag"), "port": None}, environ=env)
    assert from_flag.data_dir == Path("/flag")
    assert from_flag.port == 9001  # a flag that was not given (None) does not override


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VIDSORT_PORT": "eighty"}, "VIDSORT_PORT must be a whole number"),
        ({"VIDSORT_NAME_PATTERN": "(unclosed"}, "not a valid regex"),
        ({"VIDSORT_PLAYER": "vlc"}, "player must be"),
    ],
)
def test_bad_values_give_clear_errors(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load({}, environ=env)


def test_demo_settings_point_at_the_demo_library():
    demo = Settings.load({}, environ={}).for_demo()
    assert demo.data_dir == Path("data/demo/videos")
    assert demo.artifacts_dir == Path("artifacts/demo")


def test_allowed_hosts_from_flag_or_environment():
    env = {"VIDSORT_ALLOWED_HOSTS": "NAS.local, tv.lan.,[::1],"}
    assert Settings.load({}, environ=env).allowed_hosts == ("nas.local", "tv.lan", "::1")
    flag = Settings.load({"allowed_hosts": ["a.example"]}, environ=env)
    assert flag.allowed_hosts == ("a.example",)  # the flag wins
    for bad in ("http://nas.local", "nas.local:8000", "a b", "*.example"):
        with pytest.raises(ConfigError, match="not a host name"):
            Settings.load({"allowed_hosts": [bad]}, environ={})
