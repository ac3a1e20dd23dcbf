"""The config file's sections ([server], [player], [model], [keys]) beside the flat keys
files were first written with, and errors that name the setting and where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidsort_tui.core.config import ConfigError, Settings

SECTIONED = """\
data_dir = "/file/videos"
artifacts_dir = "/file/art"
[server]
host = "0.0.0.0"
port = 7000
allowed_hosts = ["NAS.local"]
[player]
mode = "none"
graphics = "sixel"
audio = false
[model]
accept_threshold = 0.9
refit_every = 3
auto_train = false
jobs = 1
embedder = "off"
dask_scheduler = "tcp://file:8786"
[keys]
next = "x"
"""


def test_the_sectioned_file_sets_every_setting(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(SECTIONED)
    settings = Settings.load({"config_file": config}, environ={})
    assert settings.problems == ()
    assert settings.data_dir == Path("/file/videos")
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 7000)
    assert settings.server.allowed_hosts == ("nas.local",)
    assert (settings.player.mode, settings.player.graphics) == ("none", "sixel")
    assert settings.player.audio is False
    model = settings.model
    assert (model.accept_threshold, model.refit_every, model.auto_train) == (0.9, 3, False)
    assert (model.jobs, model.embedder, model.dask_scheduler) == (1, "off", "tcp://file:8786")
    assert dict(settings.keys) == {"next": "x"}
    # the same order as the flat keys: flag > variable > file
    env = {"VIDSORT_CONFIG_FILE": str(config), "VIDSORT_PORT": "9001", "VIDSORT_PLAYER": "inline"}
    mixed = Settings.load({"player": {"mode": "window"}}, environ=env)
    assert mixed.server.port == 9001 and mixed.player.mode == "window"
    assert mixed.player.graphics == "sixel"  # the rest of the section still applies
    assert Settings.load({}, environ=mixed.to_env()) == mixed  # and reaches a child


def test_a_section_key_beats_the_same_settings_flat_key(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("port = 7000\nrefit_every = 9\n[server]\nport = 7100\n")
    settings = Settings.load({"config_file": config}, environ={})
    assert settings.server.port == 7100 and settings.model.refit_every == 9
    assert settings.problems == ()
    config.write_text("[model]\naccept_threshold = 0.6\n[accept_all]\nthreshold = 0.7\n")
    assert Settings.load({"config_file": config}, environ={}).model.accept_threshold == 0.6


def test_a_bad_value_in_a_section_is_named_with_its_section_and_left_out_alone(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[server]\nport = 0\nhost = "h"\n[player]\ncolour = 1\nmode = "none"\n')
    settings = Settings.load({"config_file": config}, environ={})
    assert settings.server.port == 8000 and settings.server.host == "h"
    assert settings.player.mode == "none"
    port, colour = settings.problems
    assert port == f"port must be between 1 and 65535, not 0 (server.port in config file {config})"
    assert colour == f"unknown setting 'player.colour' (in config file {config})"


@pytest.mark.parametrize(
    ("flags", "env", "says"),
    [
        ({"server": {"port": 0}}, {}, "port must be between 1 and 65535, not 0 (from the command line)"),
        ({}, {"VIDSORT_PORT": "0"}, "port must be between 1 and 65535, not 0 (from VIDSORT_PORT)"),
        ({}, {"VIDSORT_REFIT_EVERY": "0"}, "refit_every must be at least 1, not 0 (from VIDSORT_REFIT_EVERY)"),
        ({}, {"VIDSORT_PLAYER": "vlc"}, "player must be auto, inline, window or none, not 'vlc' (from VIDSORT_PLAYER)"),
        ({}, {"VIDSORT_ACCEPT_THRESHOLD": "high"}, "accept_threshold must be between 0 and 1, not 'high' (from VIDSORT_ACCEPT_THRESHOLD)"),
    ],
)  # fmt: skip
def test_a_refused_flag_or_variable_names_the_setting_and_where_it_came_from(flags, env, says):
    with pytest.raises(ConfigError) as refused:
        Settings.load(flags, environ=env)
    assert str(refused.value) == says


def test_values_given_in_code_are_named_by_their_place_in_the_settings():
    with pytest.raises(ConfigError) as refused:
        Settings(model={"refit_every": 0})
    assert str(refused.value) == "refit_every must be at least 1, not 0 (model.refit_every)"
    with pytest.raises(ConfigError, match="unknown setting 'server.colour'"):
        Settings(server={"colour": 1})


def test_settings_are_frozen_and_changed_only_by_a_checked_copy():
    settings = Settings()
    with pytest.raises(ValueError):
        settings.server.port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.keys["next"] = "x"  # type: ignore[index]
    changed = settings.with_changes(player={"audio": False}, model={"refit_every": 2})
    assert changed.player.audio is False and changed.player.mode == "auto"
    assert changed.model.refit_every == 2 and settings.model.refit_every == 5
    with pytest.raises(ConfigError, match="refit_every must be at least 1"):
        settings.with_changes(model={"refit_every": 0})
