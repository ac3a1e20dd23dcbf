"""Settings: CLI flag > VIDSORT_* environment variable > TOML config file > default.

One frozen object is built at start-up and handed whole to the core, the pipeline, the TUI
and the API, so every interface sees the same folders, name policy, keymap and thresholds.
It has sections: ``server`` (--serve), ``player`` (how the TUI shows a video), ``model``
(training, refits, the accept threshold) and ``keys`` (the keymap), beside the library's
own folders and name pattern. ``Settings.load`` stacks the sources (``config_sources``) in
that one order; every value, wherever it comes from, passes the same checks
(``config_checks``, run as the fields' validators). A wrong flag or variable raises
ConfigError; a wrong value in the file is left out alone and collected in ``problems``, on
which every mode of the command line refuses to start (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from vidsort_tui.core import config_checks as checks
from vidsort_tui.core.config_checks import (
    DEFAULT_NAME_PATTERN,
    DOCUMENTED_NAME_PATTERN,
    GRAPHICS_MODES,
    PLAYER_MODES,
    ConfigError,
    compile_name_pattern,
    extraction_processes,
)
from vidsort_tui.core.config_sources import (
    ENV_PREFIX,
    ConfigFileSource,
    EnvironmentSource,
    FlagSource,
    flat_name,
    leaf_fields,
    reason,
    to_text,
)

__all__ = [
    "DEFAULT_NAME_PATTERN",
    "DOCUMENTED_NAME_PATTERN",
    "GRAPHICS_MODES",
    "PLAYER_MODES",
    "ConfigError",
    "ModelSettings",
    "PlayerSettings",
    "ServerSettings",
    "Settings",
    "compile_name_pattern",
    "default_config_path",
    "extraction_processes",
]

DEFAULT_DATA_DIR = Path("data/Favorites/videos")
DEFAULT_ARTIFACTS_DIR = Path("artifacts")
DEMO_DATA_DIR = Path("data/demo/videos")
DEMO_ARTIFACTS_DIR = Path("artifacts/demo")


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vidsort" / "config.toml"


def _refused(exc: ValidationError) -> ConfigError:
    """A value given in code refused: the same words as from a flag, a variable or the file."""
    error = exc.errors()[0]
    if error["type"] == "extra_forbidden":  # the reason names it already
        return ConfigError(reason(exc))
    return ConfigError(f"{reason(exc)} ({'.'.join(str(part) for part in error['loc'])})")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class ServerSettings(_Section):
    """`--serve`: where the HTTP API listens and whom it answers."""

    host: Annotated[str, BeforeValidator(checks.text("host"))] = "127.0.0.1"
    port: Annotated[int, BeforeValidator(checks.whole("port", 1, 65535))] = 8000
    workers: Annotated[int, BeforeValidator(checks.whole("workers", 1))] = 1
    #: extra Host names to answer to besides loopback and the bound address
    allowed_hosts: Annotated[tuple[str, ...], BeforeValidator(checks.host_names)] = ()


class PlayerSettings(_Section):
    """How the terminal app shows a video."""

    mode: Annotated[str, BeforeValidator(checks.one_of("player", PLAYER_MODES))] = "auto"
    #: how the TUI draws the video
    graphics: Annotated[str, BeforeValidator(checks.one_of("graphics", GRAPHICS_MODES))] = "auto"
    audio: Annotated[bool, BeforeValidator(checks.flag("audio"))] = True


class ModelSettings(_Section):
    """Training, refits and what the model's confidence is used for."""

    #: `A` files every prediction at or above this confidence
    accept_threshold: Annotated[float, BeforeValidator(checks.threshold)] = 0.8
    #: sorts between background refits
    refit_every: Annotated[int, BeforeValidator(checks.whole("refit_every", 1))] = 5
    #: the TUI trains a first model in the background when there is none and folders can
    #: be learned (a first run on your own library); false: only `r` trains
    auto_train: Annotated[bool, BeforeValidator(checks.flag("auto_train"))] = True
    #: feature-extraction processes: 0 or -1 = one per core; more than the cores is capped at
    #: the cores. Always 1..cores once built.
    jobs: Annotated[int, BeforeValidator(checks.extraction_processes)] = 0
    #: auto | off: the content embedder (off = classical features only)
    embedder: Annotated[str, BeforeValidator(checks.one_of("embedder", checks.EMBEDDER_MODES))] = (
        "auto"
    )
    #: --cluster: a Dask scheduler (tcp://HOST:PORT) to extract features on; "" = this machine
    dask_scheduler: Annotated[str, BeforeValidator(checks.scheduler)] = ""


class Settings(BaseSettings):
    """Everything a vidsort process needs to know about where and how to work.

    ``Settings(...)`` is exactly the values given (checked) and the defaults; ``load`` adds
    the flags, the environment and the config file.
    """

    model_config = SettingsConfigDict(frozen=True, extra="forbid", validate_default=True)

    data_dir: Annotated[Path, BeforeValidator(checks.folder("data_dir"))] = DEFAULT_DATA_DIR
    artifacts_dir: Annotated[Path, BeforeValidator(checks.folder("artifacts_dir"))] = (
        DEFAULT_ARTIFACTS_DIR
    )
    name_pattern: Annotated[str, BeforeValidator(checks.name_pattern)] = DEFAULT_NAME_PATTERN
    server: ServerSettings = Field(default_factory=ServerSettings)
    player: PlayerSettings = Field(default_factory=PlayerSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    #: binding id -> keys, from the config file's [keys] table (the TUI checks the ids)
    keys: Annotated[
        Mapping[str, str],
        BeforeValidator(checks.keymap),
        AfterValidator(MappingProxyType),  # frozen all the way down
        PlainSerializer(dict),
    ] = Field(default_factory=dict)
    #: the config file these settings read (or looked for: it may not exist)
    config_file: Path | None = None
    #: what was wrong in the config file, for the command line to report
    problems: tuple[str, ...] = ()

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _refused(exc) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The constructor reads nothing but its arguments; ``load`` reads the rest."""
        return (init_settings,)

    @classmethod
    def load(
        cls,
        flags: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Build settings; ``flags`` (CLI flags by setting, sections as dicts, None = not
        given) beat the environment, which beats the config file, which beats the defaults."""
        environ = os.environ if environ is None else environ
        flags = flags or {}
        config_file = Path(
            str(
                flags.get("config_file")
                or environ.get(ENV_PREFIX + "CONFIG_FILE")
                or default_config_path(environ)
            )
        ).expanduser()
        from_file = ConfigFileSource(cls, config_file)
        from_env = EnvironmentSource(cls, environ)
        made = {"config_file": config_file, "problems": tuple(from_file.problems)}
        from_flags = FlagSource(cls, {**flags, **made})
        return cls(_build_sources=((from_flags, from_env, from_file), {}))

    def to_env(self) -> dict[str, str]:
        """VIDSORT_* variables that rebuild these settings in a child process (API workers,
        a background retrain): every setting, so the child needs nothing else."""
        env: dict[str, str] = {}
        for path in leaf_fields(type(self)):
            value: object = self
            for part in path:
                value = getattr(value, part)
            env[ENV_PREFIX + flat_name(path).upper()] = to_text(value)
        if self.config_file is not None:
            env[ENV_PREFIX + "CONFIG_FILE"] = str(self.config_file)
        return env

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some values changed (a section's as a dict of its own), checked again."""
        values: dict[str, object] = {name: getattr(self, name) for name in type(self).model_fields}
        for name, change in changes.items():
            section = values.get(name)
            if isinstance(section, BaseModel) and isinstance(change, Mapping):
                change = {**dict(section), **change}
            values[name] = change
        return type(self)(**values)

    def for_demo(self) -> Settings:
        """The same settings pointed at the generated demo library."""
        return self.with_changes(data_dir=DEMO_DATA_DIR, artifacts_dir=DEMO_ARTIFACTS_DIR)
