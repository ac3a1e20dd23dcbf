"""Settings precedence: CLI flag > VIDSORT_* environment > documented default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vidsort_tui.core.config import DEFAULT_NAME_PATTERN, ConfigError, Settings


def test_documented_defaults():
    settings = Settings.load({}, environ={})
    assert settings.data_dir == Path("data/Favorites/videos")
    assert settings.artifacts_dir == Path("artifacts")
    assert settings.name_pattern == DEFAULT_NAME_PATTERN
    assert settings.server.host == "127.0.0.1" and settings.server.port == 8000


def test_environment_beats_default_and_flag_beats_environment():
    env = {
        "VIDSORT_DATA_DIR": "/env/videos",
        "VIDSORT_PORT": "9001",
        "VIDSORT_NAME_PATTERN": r"\d+\.mp4",
    }
    from_env = Settings.load({}, environ=env)
    assert from_env.data_dir == Path("/env/videos") and from_env.server.port == 9001
    assert from_env.name_pattern == r"\d+\.mp4"
    from_flag = Settings.load({"data_dir": Path("/flag"), "server": {"port": None}}, environ=env)
    assert from_flag.data_dir == Path("/flag")
    assert from_flag.server.port == 9001  # a flag that was not given (None) does not override


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"VIDSORT_PORT": "eighty"},
            r"port must be a whole number, not 'eighty' \(from VIDSORT_PORT\)",
        ),
        ({"VIDSORT_NAME_PATTERN": "(unclosed"}, "not a valid regex"),
        ({"VIDSORT_PLAYER": "vlc"}, "player must be"),
        ({"VIDSORT_GRAPHICS": "ascii"}, "graphics must be auto, kitty, sixel or halfblock"),
    ],
)
def test_bad_values_give_clear_errors(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load({}, environ=env)


def test_graphics_from_the_environment_and_the_flag():
    assert Settings.load({}, environ={}).player.graphics == "auto"
    assert Settings.load({}, environ={"VIDSORT_GRAPHICS": "sixel"}).player.graphics == "sixel"
    flag = Settings.load(
        {"player": {"graphics": "halfblock"}}, environ={"VIDSORT_GRAPHICS": "sixel"}
    )
    assert flag.player.graphics == "halfblock"


def test_demo_settings_point_at_the_demo_library():
    demo = Settings.load({}, environ={}).for_demo()
    assert demo.data_dir == Path("data/demo/videos")
    assert demo.artifacts_dir == Path("artifacts/demo")


def test_allowed_hosts_from_flag_or_environment():
    env = {"VIDSORT_ALLOWED_HOSTS": "NAS.local, tv.lan.,[::1],"}
    assert Settings.load({}, environ=env).server.allowed_hosts == ("nas.local", "tv.lan", "::1")
    flag = Settings.load({"server": {"allowed_hosts": ["a.example"]}}, environ=env)
    assert flag.server.allowed_hosts == ("a.example",)  # the flag wins
    for bad in ("http://nas.local", "nas.local:8000", "a b", "*.example"):
        with pytest.raises(ConfigError, match="not a host name"):
            Settings.load({"server": {"allowed_hosts": [bad]}}, environ={})


def test_config_file_sits_between_environment_and_defaults(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(
        'data_dir = "/file/videos"\nport = 7000\nplayer = "none"\nrefit_every = 3\n'
        '[keys]\nnext = "x"\n[accept_all]\nthreshold = 0.9\n'
    )
    env = {"VIDSORT_CONFIG_FILE": str(config), "VIDSORT_PORT": "9001"}
    settings = Settings.load({"player": {"mode": "inline"}}, environ=env)
    assert settings.config_file == config and settings.problems == ()
    assert settings.data_dir == Path("/file/videos")  # file beats default
    assert settings.server.port == 9001  # environment beats file
    assert settings.player.mode == "inline"  # flag beats file
    assert settings.model.refit_every == 3 and settings.model.accept_threshold == 0.9
    assert dict(settings.keys) == {"next": "x"}
    flag_file = tmp_path / "other.toml"
    flag_file.write_text("port = 7100\n")
    assert Settings.load({"config_file": flag_file}, environ=env).server.port == 9001
    assert Settings.load({"config_file": flag_file}, environ={}).server.port == 7100


def test_a_bad_config_file_is_reported_never_fatal(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('port = "eighty"\ncolour = 1\n[accept_all]\nthreshold = 7\n')
    settings = Settings.load({"config_file": config}, environ={})
    assert settings.server.port == 8000 and settings.model.accept_threshold == 0.8
    assert len(settings.problems) == 3 and all(str(config) in p for p in settings.problems)
    config.write_text('player = "vlc"\nport = 7000\n')  # a value the checks refuse
    settings = Settings.load({"config_file": config}, environ={})
    # only the bad value is left out
    assert settings.player.mode == "auto" and settings.server.port == 7000
    assert "player must be" in settings.problems[0]
    config.write_text("not toml = = =")
    assert "config" in Settings.load({"config_file": config}, environ={}).problems[0]
    missing = Settings.load({"config_file": tmp_path / "absent.toml"}, environ={})
    assert missing.problems == () and missing.config_file == tmp_path / "absent.toml"


def test_to_env_rebuilds_the_same_settings_in_a_child(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nnext = "x"\n')
    settings = Settings.load(
        {"data_dir": tmp_path / "v", "artifacts_dir": tmp_path / "a", "config_file": config,
         "server": {"port": 8123}, "model": {"jobs": 2},
         "player": {"audio": False, "mode": "none"}},
        environ={},
    )  # fmt: skip
    assert Settings.load({}, environ=settings.to_env()) == settings


def test_dask_scheduler_flag_beats_environment_beats_file_beats_default(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('dask_scheduler = "tcp://file:8786"\n')
    assert Settings.load({}, environ={}).model.dask_scheduler == ""  # default: this machine
    from_file = Settings.load({"config_file": config}, environ={})
    assert from_file.model.dask_scheduler == "tcp://file:8786"
    env = {"VIDSORT_DASK_SCHEDULER": "tcp://env:8786"}
    from_env = Settings.load({"config_file": config}, environ=env)
    assert from_env.model.dask_scheduler == "tcp://env:8786"
    flags = {"config_file": config, "model": {"dask_scheduler": "tcp://flag:1"}}
    flag = Settings.load(flags, environ=env)
    assert flag.model.dask_scheduler == "tcp://flag:1"
    to_jobs = Settings.load({}, environ=flag.to_env())
    assert to_jobs.model.dask_scheduler == "tcp://flag:1"
    assert Settings.load({}, environ=Settings().to_env()).model.dask_scheduler == ""
    with pytest.raises(ConfigError, match="not an address like tcp://HOST:PORT"):
        Settings.load({}, environ={"VIDSORT_DASK_SCHEDULER": "scheduler.local"})


def test_auto_train_from_flag_environment_or_file(tmp_path: Path):
    assert Settings.load({}, environ={}).model.auto_train is True  # a first run trains by itself
    config = tmp_path / "config.toml"
    config.write_text("auto_train = false\n")
    from_file = Settings.load({"config_file": config}, environ={})
    assert from_file.model.auto_train is False and from_file.problems == ()
    env = {"VIDSORT_CONFIG_FILE": str(config), "VIDSORT_AUTO_TRAIN": "1"}
    assert Settings.load({}, environ=env).model.auto_train is True  # environment beats the file
    no_auto_train = {"model": {"auto_train": False}}
    assert Settings.load(no_auto_train, environ=env).model.auto_train is False  # the flag
    assert Settings.load({}, environ={"VIDSORT_AUTO_TRAIN": "off"}).model.auto_train is False
    off = Settings.load(no_auto_train, environ={})
    assert Settings.load({}, environ=off.to_env()).model.auto_train is False
    config.write_text('auto_train = "no"\n')  # a string is not a bool: reported, default kept
    wrong = Settings.load({"config_file": config}, environ={})
    assert wrong.model.auto_train is True and "auto_train" in wrong.problems[0]


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def test_jobs_minus_one_is_every_core_and_more_than_the_cores_is_capped(tmp_path: Path):
    cores = _cores()
    assert Settings.load({}, environ={}).model.jobs == cores  # the default: one per core
    assert Settings.load({"model": {"jobs": -1}}, environ={}).model.jobs == cores  # joblib's
    assert Settings.load({}, environ={"VIDSORT_JOBS": "-1"}).model.jobs == cores
    assert Settings.load({"model": {"jobs": 10**6}}, environ={}).model.jobs == cores
    assert Settings(model={"jobs": 1}).model.jobs == 1
    assert Settings(model={"jobs": -1}).model.jobs == cores
    for bad in (-2, -(10**6)):
        with pytest.raises(ConfigError, match="jobs must be -1 or 0"):
            Settings.load({"model": {"jobs": bad}}, environ={})
    config = tmp_path / "config.toml"
    config.write_text("jobs = -1\n")
    assert Settings.load({"config_file": config}, environ={}).model.jobs == cores


@pytest.mark.parametrize("port", [0, -1, 65536, 99999, 10**30])
def test_ports_outside_1_to_65535_are_refused_wherever_they_come_from(port, tmp_path: Path):
    with pytest.raises(ConfigError, match="port must be between 1 and 65535"):
        Settings.load({"server": {"port": port}}, environ={})
    with pytest.raises(ConfigError, match="port must be between 1 and 65535"):
        Settings.load({}, environ={"VIDSORT_PORT": str(port)})
    config = tmp_path / "config.toml"
    config.write_text(f"port = {port}\n" if abs(port) < 2**63 else 'port = "huge"\n')
    settings = Settings.load({"config_file": config}, environ={})
    assert settings.server.port == 8000 and "port" in settings.problems[0]
    assert Settings.load({"server": {"port": 65535}}, environ={}).server.port == 65535


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("refit_every = 0", "refit_every"),
        ("workers = 0", "workers"),
        ("jobs = -5", "jobs"),
        ("port = 70000", "port"),
        ('graphics = "ascii"', "graphics"),
        ('embedder = "gpu"', "embedder"),
        ('dask_scheduler = "nowhere"', "Dask scheduler"),
        ('name_pattern = "("', "name pattern"),
        ('allowed_hosts = ["http://x"]', "allowed host"),
        ("auto_train = 1", "auto_train"),
        ("[accept_all]\nthreshold = 2", "accept_all.threshold"),
    ],
)
def test_one_bad_value_in_the_file_is_named_and_the_rest_of_the_file_still_applies(
    tmp_path: Path, line: str, key: str
):
    config = tmp_path / "config.toml"
    config.write_text(f'player = "none"\nrefit_every = 7\nport = 7001\n{line}\n')
    if line.startswith(("refit_every", "port")):  # the bad value replaces the good one
        config.write_text(f'player = "none"\n{line}\n')
    settings = Settings.load({"config_file": config}, environ={})
    assert len(settings.problems) == 1, settings.problems
    assert key in settings.problems[0] and str(config) in settings.problems[0]
    assert "\n" not in settings.problems[0]
    assert settings.player.mode == "none"  # never the whole file dropped
    if not line.startswith(("refit_every", "port")):
        assert settings.model.refit_every == 7 and settings.server.port == 7001


def test_every_value_is_checked_by_the_constructor_too():
    for bad in ({"model": {"refit_every": 0}}, {"server": {"port": 99999}},
                {"model": {"jobs": "2"}}, {"player": {"audio": "yes"}}, {"player": {"mode": 3}},
                {"model": {"accept_threshold": float("nan")}}):  # fmt: skip
        with pytest.raises(ConfigError):
            Settings(**bad)
