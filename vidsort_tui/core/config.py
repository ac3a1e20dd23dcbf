"""Settings: CLI flag > VIDSORT_* environment variable > TOML config file > default.

One frozen object is built at start-up and handed whole to the core, the pipeline, the TUI
and the API, so every interface sees the same folders, name policy, keymap and thresholds.
The config file is optional; what is wrong in it is collected in ``problems`` for the
interfaces to report, and never stops the program (a wrong flag or variable does).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

#: Any single safe path component with a video extension; see ARCHITECTURE.md "Invariants".
#: Extra limits the regex cannot express (255 bytes, control characters) live in names.py.
DEFAULT_NAME_PATTERN = r"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*\.(?i:mp4|m4v|mov|webm|mkv)"
#: The documented behaviour of the original server (`--name-pattern '\d+\.mp4'`).
DOCUMENTED_NAME_PATTERN = r"\d+\.mp4"

DEFAULT_DATA_DIR = Path("data/Favorites/videos")
DEFAULT_ARTIFACTS_DIR = Path("artifacts")
DEMO_DATA_DIR = Path("data/demo/videos")
DEMO_ARTIFACTS_DIR = Path("artifacts/demo")

ENV_PREFIX = "VIDSORT_"
PLAYER_MODES = ("auto", "inline", "window", "none")
GRAPHICS_MODES = ("auto", "kitty", "sixel", "halfblock")
_PATHS = ("data_dir", "artifacts_dir")
_INTS = ("port", "workers", "jobs", "refit_every")
_BOOLS = ("audio", "auto_train")
#: Settings that only describe how they were loaded; never read from the environment or file.
_META = ("config_file", "keymap", "problems")


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names it."""


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vidsort" / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a vidsort process needs to know about where and how to work."""

    data_dir: Path = DEFAULT_DATA_DIR
    artifacts_dir: Path = DEFAULT_ARTIFACTS_DIR
    name_pattern: str = DEFAULT_NAME_PATTERN
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    jobs: int = 0  # 0 = one worker process per core
    player: str = "auto"  # one of PLAYER_MODES
    graphics: str = "auto"  # one of GRAPHICS_MODES: how the TUI draws the video
    audio: bool = True
    refit_every: int = 5  # sorts between background refits
    #: the TUI trains a first model in the background when there is none and folders can
    #: be learned (a first run on your own library); false: only `r` trains
    auto_train: bool = True
    accept_threshold: float = 0.8  # `A` files every prediction at or above this confidence
    embedder: str = "auto"  # auto | off: the content embedder (off = classical features only)
    #: --serve: extra Host names to answer to besides loopback and the bound address
    allowed_hosts: tuple[str, ...] = ()
    #: the config file these settings read (or looked for: it may not exist)
    config_file: Path | None = None
    #: binding id -> keys, from the config file's [keys] table (the TUI checks the ids)
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: what was wrong in the config file, for the interfaces to report
    problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            # On its own, never wrapped: '\d+\.mp4)|(.+' must fail here, not widen a wrapper.
            re.compile(self.name_pattern, re.ASCII)
        except re.error as exc:
            raise ConfigError(
                f"name pattern {self.name_pattern!r} is not a valid regex: {exc}"
            ) from None
        object.__setattr__(self, "allowed_hosts", _host_names(self.allowed_hosts))
        if self.player not in PLAYER_MODES:
            raise ConfigError(f"player must be auto, inline, window or none, not {self.player!r}")
        if self.graphics not in GRAPHICS_MODES:
            raise ConfigError(
                f"graphics must be auto, kitty, sixel or halfblock, not {self.graphics!r}"
            )
        if self.embedder not in {"auto", "off"}:
            raise ConfigError(f"embedder must be auto or off, not {self.embedder!r}")
        if self.workers < 1:
            raise ConfigError("workers must be at least 1")
        if self.refit_every < 1:
            raise ConfigError("refit_every must be at least 1")
        if not 0.0 <= self.accept_threshold <= 1.0:
            raise ConfigError("accept_threshold must be between 0 and 1")
        object.__setattr__(self, "keymap", MappingProxyType(dict(self.keymap)))

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Build settings; ``overrides`` (CLI flags, None = not given) beat the environment,
        which beats the config file, which beats the defaults."""
        environ = os.environ if environ is None else environ
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        config_file = Path(
            str(
                overrides.get("config_file")
                or environ.get(ENV_PREFIX + "CONFIG_FILE")
                or default_config_path(environ)
            )
        ).expanduser()
        from_file, keymap, problems = _read_config_file(config_file)
        values: dict[str, object] = dict(from_file)
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if f.name not in _META and raw is not None and raw != "":
                values[f.name] = _convert(f.name, raw, f"{ENV_PREFIX}{f.name.upper()}")
        values.update(overrides)
        for key in _PATHS:
            if values.get(key) is not None:
                values[key] = Path(str(values[key])).expanduser()
        values.update(config_file=config_file, keymap=keymap, problems=tuple(problems))
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """VIDSORT_* variables that rebuild these settings in a child process (API workers,
        a background retrain): every setting, so the child needs nothing else."""
        env = {
            ENV_PREFIX + f.name.upper(): str(getattr(self, f.name))
            for f in fields(self)
            if f.name not in _META
        }
        env.update({ENV_PREFIX + k.upper(): str(Path(getattr(self, k)).resolve()) for k in _PATHS})
        env.update({ENV_PREFIX + k.upper(): "1" if getattr(self, k) else "0" for k in _BOOLS})
        env[ENV_PREFIX + "ALLOWED_HOSTS"] = ",".join(self.allowed_hosts)
        if self.config_file is not None:
            env[ENV_PREFIX + "CONFIG_FILE"] = str(self.config_file)
        return env

    def for_demo(self) -> Settings:
        """The same settings pointed at the generated demo library."""
        return replace(self, data_dir=DEMO_DATA_DIR, artifacts_dir=DEMO_ARTIFACTS_DIR)


def _convert(name: str, raw: str, source: str) -> object:
    """Turn an environment string into the field's type, with a readable error."""
    if name in _INTS:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{source} must be a whole number, not {raw!r}") from None
    if name == "accept_threshold":
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{source} must be a number between 0 and 1, not {raw!r}") from None
    if name in _BOOLS:
        return raw.strip().lower() not in {"0", "false", "no", "off"}
    if name == "embedder":
        return raw.strip().lower()
    if name == "allowed_hosts":
        return tuple(raw.split(","))
    return raw


_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]|[0-9a-f:.]+", re.ASCII)


def _host_names(names: object) -> tuple[str, ...]:
    """Host names as a browser sends them in Host (lower case, no port, no trailing dot);
    a clear error for anything else."""
    if isinstance(names, str):
        names = names.split(",")
    out: list[str] = []
    for raw in names:  # type: ignore[union-attr]
        name = str(raw).strip().lower().rstrip(".")
        if not name:
            continue
        if not _HOST_NAME.fullmatch(name):
            raise ConfigError(
                f"allowed host {raw!r} is not a host name (give a name such as nas.local, "
                "without scheme or port)"
            )
        out.append(name.strip("[]"))  # IPv6 literals kept without brackets
    return tuple(dict.fromkeys(out))


_FILE_TYPES: dict[str, tuple[type, ...]] = {
    "data_dir": (str,), "artifacts_dir": (str,), "name_pattern": (str,), "host": (str,),
    "port": (int,), "workers": (int,), "jobs": (int,), "player": (str,), "graphics": (str,),
    "audio": (bool,), "refit_every": (int,), "embedder": (str,), "allowed_hosts": (list,),
    "auto_train": (bool,),
}  # fmt: skip


def _read_config_file(path: Path) -> tuple[dict[str, object], dict[str, str], list[str]]:
    """(settings, keymap, problems) from the TOML file; a missing file is no problem.

    A value of the wrong type is reported and ignored, so a typo in the file never keeps
    the app from starting; its defaults apply instead.
    """
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, {}, []
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, {}, [f"config {path}: {exc}"]
    values: dict[str, object] = {}
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key == "keys" and isinstance(value, dict):
            for key_id, keys in value.items():
                if isinstance(keys, str) and keys.strip():
                    keymap[key_id] = keys
                else:
                    problems.append(f"config {path}: [keys] {key_id} must be a non-empty string")
        elif key == "accept_all" and isinstance(value, dict) and "threshold" in value:
            threshold = value["threshold"]
            if (
                isinstance(threshold, int | float)
                and not isinstance(threshold, bool)
                and (0 <= threshold <= 1)
            ):
                values["accept_threshold"] = float(threshold)
            else:
                problems.append(f"config {path}: accept_all.threshold must be between 0 and 1")
        elif (
            key in _FILE_TYPES
            and isinstance(value, _FILE_TYPES[key])
            and (key in _BOOLS or not isinstance(value, bool))
        ):
            values[key] = value
        else:
            problems.append(f"config {path}: unknown setting or wrong type: {key!r}")
    try:  # a value the Settings checks refuse is reported, not fatal
        Settings(**values)  # type: ignore[arg-type]
    except (ConfigError, TypeError) as exc:
        problems.append(f"config {path}: {exc}; the file's settings were ignored")
        values = {k: v for k, v in values.items() if k == "accept_threshold"}
    return values, keymap, problems
