"""The checks every setting passes, wherever its value comes from (flag, variable, file, code).

Each check takes the value as given, returns the value to keep, or raises ``ConfigError``
naming the setting. They run as pydantic ``BeforeValidator``s on ``Settings``' fields, so a
value is judged here and nowhere else; ``config_sources`` adds where the value came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

#: Any single safe path component with a video extension; see ARCHITECTURE.md "Invariants".
#: Extra limits the regex cannot express (255 bytes, control characters) live in names.py.
DEFAULT_NAME_PATTERN = r"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*\.(?i:mp4|m4v|mov|webm|mkv)"
#: The documented behaviour of the original server (`--name-pattern '\d+\.mp4'`).
DOCUMENTED_NAME_PATTERN = r"\d+\.mp4"
PLAYER_MODES = ("auto", "inline", "window", "none")
GRAPHICS_MODES = ("auto", "kitty", "sixel", "halfblock")
EMBEDDER_MODES = ("auto", "off")
_DASK_ADDRESS = re.compile(r"(tcp|tls|ws|wss)://[^\s/]+:\d+", re.ASCII)
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]|[0-9a-f:.]+", re.ASCII)


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names it (and where it came from)."""


def compile_name_pattern(pattern: str) -> re.Pattern[str]:
    """The user's pattern on its own (ASCII classes); ConfigError if it is not a regex.

    Never wrapped in anything: '\\d+\\.mp4)|(.+' must fail here, not widen a wrapper.
    """
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise ConfigError(f"name pattern {pattern!r} is not a valid regex: {exc}") from None


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def extraction_processes(jobs: object) -> int:
    """``jobs`` as a number of processes: 0 or -1 (joblib's "all cores") is one per core, and
    more than the cores is capped at the cores (10^6 once started 68 workers and 12.9 GB)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < -1:
        raise ConfigError(f"jobs must be -1 or 0 (one per core) or a positive number, not {jobs!r}")
    cores = available_cores()
    return cores if jobs in (0, -1) else min(jobs, cores)


def whole(name: str, low: int, high: int | None = None) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number, not {value!r}")
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"{name} must be {bounds}, not {value}")
        return value

    return check


def one_of(name: str, choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if isinstance(value, str) and value in choices:
            return value
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        raise ConfigError(f"{name} must be {listed}, not {value!r}")

    return check


def text(name: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be a string, not {value!r}")
        return value

    return check


def flag(name: str) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, not {value!r}")
        return value

    return check


def folder(name: str) -> Callable[[object], Path]:
    def check(value: object) -> Path:
        if not isinstance(value, str | Path) or not str(value):
            raise ConfigError(f"{name} must be a folder path, not {value!r}")
        return Path(value).expanduser()

    return check


def name_pattern(value: object) -> str:
    pattern = text("name_pattern")(value)
    compile_name_pattern(pattern)
    return pattern


def threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"accept_threshold must be between 0 and 1, not {value!r}")
    return float(value)


def scheduler(value: object) -> str:
    address = text("dask_scheduler")(value)
    if address and not _DASK_ADDRESS.fullmatch(address):
        raise ConfigError(
            f"Dask scheduler {address!r} is not an address like tcp://HOST:PORT "
            "(as `dask scheduler` prints it)"
        )
    return address


def host_names(names: object) -> tuple[str, ...]:
    """Host names as a browser sends them in Host (lower case, no port, no trailing dot);
    a clear error for anything else."""
    if isinstance(names, str):
        names = names.split(",")
    if not isinstance(names, list | tuple):
        raise ConfigError(f"allowed_hosts must be a list of host names, not {names!r}")
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


def keymap(value: object) -> Mapping[str, str]:
    """binding id -> keys (the TUI checks the ids and the keys themselves)."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"keys must be a table of binding id = keys, not {value!r}")
    for key_id, keys in value.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"[keys] {key_id} must be a non-empty string, not {keys!r}")
    return MappingProxyType(dict(value))
