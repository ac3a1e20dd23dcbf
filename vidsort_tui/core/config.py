"""Settings: CLI flag > VIDSORT_* environment variable > documented default.

One frozen object is built at start-up and handed to the core, the TUI and the API,
so every interface sees the same folders and the same name policy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

#: Any single safe path component with a video extension; see DESIGN.md "Library rules".
#: Limits a regex cannot express (255 bytes, safe components) live in names.py.
DEFAULT_NAME_PATTERN = r"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*\.(?i:mp4|m4v|mov|webm|mkv)"
#: The documented behaviour of the original server (`--name-pattern '\d+\.mp4'`).
DOCUMENTED_NAME_PATTERN = r"\d+\.mp4"

DEFAULT_DATA_DIR = Path("data/Favorites/videos")
DEFAULT_ARTIFACTS_DIR = Path("artifacts")
DEMO_DATA_DIR = Path("data/demo/videos")
DEMO_ARTIFACTS_DIR = Path("artifacts/demo")

ENV_PREFIX = "VIDSORT_"


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names it."""


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
    player: str = "auto"  # auto | inline | window | none
    audio: bool = True
    refit_every: int = 5  # sorts between background refits in the TUI
    config_file: Path | None = None  # TOML keymap/config for the TUI
    embedder: str = "auto"  # auto | off: the content embedder (off = classical features only)
    #: --serve: extra Host names to answer to besides loopback and the bound address
    allowed_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            # On its own, never wrapped: '\d+\.mp4)|(.+' must fail here, not widen a wrapper.
            re.compile(self.name_pattern, re.ASCII)
        except re.error as exc:
            raise ConfigError(
                f"name pattern {self.name_pattern!r} is not a valid regex: {exc}"
            ) from None
        object.__setattr__(self, "allowed_hosts", _host_names(self.allowed_hosts))
        if self.player not in {"auto", "inline", "window", "none"}:
            raise ConfigError(f"player must be auto, inline, window or none, not {self.player!r}")
        if self.embedder not in {"auto", "off"}:
            raise ConfigError(f"embedder must be auto or off, not {self.embedder!r}")
        if self.workers < 1:
            raise ConfigError("workers must be at least 1")
        if self.refit_every < 1:
            raise ConfigError("refit_every must be at least 1")

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Build settings; ``overrides`` (CLI flags, None = not given) beat the environment."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _convert(field.name, raw)
        for key, value in (overrides or {}).items():
            if value is not None:
                values[key] = value
        for key in ("data_dir", "artifacts_dir", "config_file"):
            if values.get(key) is not None:
                values[key] = Path(str(values[key])).expanduser()
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """VIDSORT_* variables that rebuild these settings in a child process."""
        return {
            "VIDSORT_DATA_DIR": str(Path(self.data_dir).resolve()),
            "VIDSORT_ARTIFACTS_DIR": str(Path(self.artifacts_dir).resolve()),
            "VIDSORT_NAME_PATTERN": self.name_pattern,
            "VIDSORT_JOBS": str(self.jobs),
            "VIDSORT_EMBEDDER": self.embedder,
            "VIDSORT_HOST": self.host,
            "VIDSORT_ALLOWED_HOSTS": ",".join(self.allowed_hosts),
        }

    def for_demo(self) -> Settings:
        """The same settings pointed at the generated demo library."""
        return replace(self, data_dir=DEMO_DATA_DIR, artifacts_dir=DEMO_ARTIFACTS_DIR)


def _convert(name: str, raw: str) -> object:
    """Turn an environment string into the field's type, with a readable error."""
    if name in {"port", "workers", "jobs", "refit_every"}:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(
                f"{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            ) from None
    if name == "embedder":
        return raw.strip().lower()
    if name == "audio":
        return raw.strip().lower() not in {"0", "false", "no", "off"}
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
