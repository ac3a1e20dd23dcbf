"""Settings: CLI flag > VIDSORT_* environment variable > TOML config file > default.

One frozen object is built at start-up and handed whole to the core, the pipeline, the TUI
and the API, so every interface sees the same folders, name policy, keymap and thresholds.
The config file is optional. Every value, wherever it comes from, passes the same checks
(``_CHECKS``, run by ``Settings.__post_init__``); a wrong flag or variable stops the program,
a wrong value in the file is dropped alone (the rest of the file still applies) and collected
in ``problems``: the TUI shows them, ``--serve`` and ``--retrain`` refuse to start on them.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

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
_DASK_ADDRESS = re.compile(r"(tcp|tls|ws|wss)://[^\s/]+:\d+", re.ASCII)
PLAYER_MODES = ("auto", "inline", "window", "none")
GRAPHICS_MODES = ("auto", "kitty", "sixel", "halfblock")
_PATHS = ("data_dir", "artifacts_dir")
_INTS = ("port", "workers", "jobs", "refit_every")
_BOOLS = ("audio", "auto_train")
#: Settings that only describe how they were loaded; never read from the environment or file.
_META = ("config_file", "keymap", "problems")


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names it."""


def compile_name_pattern(pattern: str) -> re.Pattern[str]:
    """The user's pattern on its own (ASCII classes); ConfigError if it is not a regex.

    Never wrapped in anything: '\\d+\\.mp4)|(.+' must fail here, not widen a wrapper.
    """
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise ConfigError(f"name pattern {pattern!r} is not a valid regex: {exc}") from None


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
    #: feature-extraction processes: 0 or -1 = one per core; more than the cores is capped at
    #: the cores. Always 1..cores once built.
    jobs: int = 0
    player: str = "auto"  # one of PLAYER_MODES
    graphics: str = "auto"  # one of GRAPHICS_MODES: how the TUI draws the video
    audio: bool = True
    refit_every: int = 5  # sorts between background refits
    #: the TUI trains a first model in the background when there is none and folders can
    #: be learned (a first run on your own library); false: only `r` trains
    auto_train: bool = True
    accept_threshold: float = 0.8  # `A` files every prediction at or above this confidence
    embedder: str = "auto"  # auto | off: the content embedder (off = classical features only)
    #: --cluster: a Dask scheduler (tcp://HOST:PORT) to extract features on; "" = this machine
    dask_scheduler: str = ""
    #: --serve: extra Host names to answer to besides loopback and the bound address
    allowed_hosts: tuple[str, ...] = ()
    #: the config file these settings read (or looked for: it may not exist)
    config_file: Path | None = None
    #: binding id -> keys, from the config file's [keys] table (the TUI checks the ids)
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: what was wrong in the config file, for the interfaces to report
    problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            object.__setattr__(self, name, check(getattr(self, name)))
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
        # Variables are converted by _convert, flags typed by argparse, the file's values
        # already checked; __post_init__ runs the same _CHECKS on every value.
        return cls(**cast(dict[str, Any], values))

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


def _host_names(names: str | Iterable[object]) -> tuple[str, ...]:
    """Host names as a browser sends them in Host (lower case, no port, no trailing dot);
    a clear error for anything else."""
    if isinstance(names, str):
        names = names.split(",")
    out: list[str] = []
    for raw in names:
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


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def extraction_processes(jobs: int) -> int:
    """``jobs`` as a number of processes: 0 or -1 (joblib's "all cores") is one per core, and
    more than the cores is capped at the cores (10^6 once started 68 workers and 12.9 GB)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < -1:
        raise ConfigError(f"jobs must be -1 or 0 (one per core) or a positive number, not {jobs!r}")
    cores = available_cores()
    return cores if jobs in (0, -1) else min(jobs, cores)


def _whole(name: str, low: int, high: int | None = None) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number, not {value!r}")
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"{name} must be {bounds}, not {value}")
        return value

    return check


def _one_of(name: str, choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if isinstance(value, str) and value in choices:
            return value
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        raise ConfigError(f"{name} must be {listed}, not {value!r}")

    return check


def _text(name: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be a string, not {value!r}")
        return value

    return check


def _flag(name: str) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, not {value!r}")
        return value

    return check


def _path(name: str) -> Callable[[object], Path]:
    def check(value: object) -> Path:
        if not isinstance(value, str | Path) or not str(value):
            raise ConfigError(f"{name} must be a folder path, not {value!r}")
        return Path(value)

    return check


def _name_pattern(value: object) -> str:
    pattern = _text("name_pattern")(value)
    compile_name_pattern(pattern)
    return pattern


def _threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"accept_threshold must be between 0 and 1, not {value!r}")
    return float(value)


def _scheduler(value: object) -> str:
    address = _text("dask_scheduler")(value)
    if address and not _DASK_ADDRESS.fullmatch(address):
        raise ConfigError(
            f"Dask scheduler {address!r} is not an address like tcp://HOST:PORT "
            "(as `dask scheduler` prints it)"
        )
    return address


def _hosts(value: object) -> tuple[str, ...]:
    if not isinstance(value, str | list | tuple):
        raise ConfigError(f"allowed_hosts must be a list of host names, not {value!r}")
    return _host_names(value)


#: The one place every setting is checked, whatever it came from (flag, variable, file,
#: or code): each check returns the value to keep, or raises ConfigError naming the setting.
_CHECKS: dict[str, Callable[[Any], object]] = {
    "data_dir": _path("data_dir"),
    "artifacts_dir": _path("artifacts_dir"),
    "name_pattern": _name_pattern,
    "host": _text("host"),
    "port": _whole("port", 1, 65535),
    "workers": _whole("workers", 1),
    "jobs": extraction_processes,
    "player": _one_of("player", PLAYER_MODES),
    "graphics": _one_of("graphics", GRAPHICS_MODES),
    "audio": _flag("audio"),
    "refit_every": _whole("refit_every", 1),
    "auto_train": _flag("auto_train"),
    "accept_threshold": _threshold,
    "embedder": _one_of("embedder", ("auto", "off")),
    "dask_scheduler": _scheduler,
    "allowed_hosts": _hosts,
}
#: what the config file may set at its top level (the rest comes from its tables)
_FILE_KEYS = frozenset(_CHECKS) - {"accept_threshold"}


def _read_config_file(path: Path) -> tuple[dict[str, object], dict[str, str], list[str]]:
    """(settings, keymap, problems) from the TOML file; a missing file is no problem.

    Each value is checked on its own (``_CHECKS``): a wrong one is reported with its key and
    the file, and left out alone -- the rest of the file still applies.
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
            continue
        if key == "accept_all" and isinstance(value, dict) and "threshold" in value:
            key, value = "accept_threshold", value["threshold"]
        elif key not in _FILE_KEYS:
            problems.append(f"config {path}: unknown setting {key!r}")
            continue
        try:
            values[key] = _CHECKS[key](value)
        except ConfigError as exc:  # the message names the setting as the file spells it
            message = str(exc).replace("accept_threshold", "accept_all.threshold", 1)
            problems.append(f"config {path}: {message}")
    return values, keymap, problems
