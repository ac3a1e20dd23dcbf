"""Where settings come from: command-line flags, VIDSORT_* variables and the TOML file.

Each source is a pydantic-settings source; ``Settings.load`` stacks them flag > variable >
file > default. Every value is checked alone as it is read (``check``: the field's own
validator), so a refusal names the setting *and* its source. A wrong flag or variable stops
the program; a wrong value in the file is left out alone and kept in ``problems``.

Names users already have keep working: every setting keeps its flat name for its variable
(``VIDSORT_PORT``, ``VIDSORT_PLAYER``) and, in the file, as a top-level key written before the
sections existed (``port = 8000``, ``[accept_all] threshold``) beside the sectioned layout
(``[server] port = 8000``). A section's key wins over the same setting's flat key.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource

from vidsort_tui.core.config_checks import ConfigError

ENV_PREFIX = "VIDSORT_"
#: the sections of the file (and of Settings), each a model of its own
SECTIONS = ("server", "player", "model")
#: a setting whose flat name (variable, old top-level key) is not its name in its section
_FLAT_NAMES: dict[Place, str] = {("player", "mode"): "player"}
#: written by the program, never read from a variable or the file
_META = ("config_file", "problems")
_FALSE = {"0", "false", "no", "off"}
#: a setting's place in Settings: ("server", "port"), ("data_dir",)
Place = tuple[str, ...]


def leaf_fields(settings_cls: type[BaseModel]) -> dict[Place, FieldInfo]:
    """Every setting a variable, a flag or a file key can give, by its place in Settings."""
    out: dict[Place, FieldInfo] = {}
    for name, field in settings_cls.model_fields.items():
        section = field.annotation
        if name in SECTIONS and isinstance(section, type) and issubclass(section, BaseModel):
            out.update({(name, leaf): info for leaf, info in section.model_fields.items()})
        elif name not in (*_META, "keys"):
            out[(name,)] = field
    return out


def flat_name(path: Place) -> str:
    """The setting's name without its section: ``VIDSORT_<NAME>`` and the old file key."""
    return _FLAT_NAMES.get(path, path[-1])


def reason(exc: ValidationError) -> str:
    """What the first refused value is, as our checks say it (pydantic's words otherwise)."""
    error = exc.errors()[0]
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, ConfigError):
        return str(cause)
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown setting {where!r}"
    return f"{where}: {error['msg']}"


@functools.cache
def _validator(settings_cls: type[BaseModel], path: Place) -> TypeAdapter[Any]:
    field = (
        settings_cls.model_fields["keys"] if path[0] == "keys" else leaf_fields(settings_cls)[path]
    )
    form: Any = Annotated[field.annotation, *field.metadata]  # the field's type and checks
    return TypeAdapter(form)


def check(settings_cls: type[BaseModel], path: Place, value: object) -> object:
    """``value`` as the setting's own check keeps it; ConfigError (naming the setting) if not."""
    try:
        if path[0] == "keys":  # one binding of the keymap
            return _validator(settings_cls, ("keys",)).validate_python({path[1]: value})[path[1]]
        return _validator(settings_cls, path).validate_python(value)
    except ValidationError as exc:
        raise ConfigError(reason(exc)) from None


def put(values: dict[str, Any], path: Place, value: object) -> None:
    for part in path[:-1]:
        values = values.setdefault(part, {})
    values[path[-1]] = value


def given(flags: Mapping[str, object]) -> dict[str, Any]:
    """Flags without the ones not given (None), sections included."""
    out: dict[str, Any] = {}
    for key, value in flags.items():
        if isinstance(value, Mapping):
            value = given(value)
        if value is not None and value != {}:
            out[key] = value
    return out


def _walk(values: Mapping[str, Any], prefix: Place = ()) -> Iterator[tuple[Place, object]]:
    for key, value in values.items():
        if isinstance(value, Mapping) and key in SECTIONS and not prefix:
            yield from _walk(value, (key,))
        else:
            yield (*prefix, key), value


def from_text(field: FieldInfo, raw: str) -> object:
    """A variable's text as the field's type; text the type refuses is left for the check to
    name (``port must be a whole number, not 'eighty'``)."""
    kind = field.annotation
    try:
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError:
        return raw
    if kind is bool:
        return raw.strip().lower() not in _FALSE
    if kind == tuple[str, ...]:
        return tuple(raw.split(","))
    return raw


def to_text(value: object) -> str:
    """The inverse of ``from_text``: a setting as its variable spells it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, Path):
        return str(value.resolve())
    return str(value)


class _Values(PydanticBaseSettingsSource):
    """A source whose values are read and checked when it is made."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.values: dict[str, Any] = {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: the values are whole when made

    def __call__(self) -> dict[str, Any]:
        return self.values


class FlagSource(InitSettingsSource):
    """Command-line flags (None = not given); a refused one stops the program."""

    def __init__(self, settings_cls: type[BaseSettings], flags: Mapping[str, object]) -> None:
        values = given(flags)
        known = leaf_fields(settings_cls)
        for path, value in _walk(values):
            if path in known:
                try:
                    put(values, path, check(settings_cls, path, value))
                except ConfigError as exc:
                    raise ConfigError(f"{exc} (from the command line)") from None
        super().__init__(settings_cls, init_kwargs=values)


class EnvironmentSource(_Values):
    """``VIDSORT_<NAME>`` for every setting (empty = not set); a refused one stops the program."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        for path, field in leaf_fields(settings_cls).items():
            variable = ENV_PREFIX + flat_name(path).upper()
            raw = environ.get(variable)
            if not raw:
                continue
            if path == ("model", "embedder"):
                raw = raw.strip().lower()
            try:
                put(self.values, path, check(settings_cls, path, from_text(field, raw)))
            except ConfigError as exc:
                raise ConfigError(f"{exc} (from {variable})") from None


class ConfigFileSource(_Values):
    """The TOML file; a missing file is no problem, a wrong value is left out alone and named
    in ``problems`` with its key and the file -- the rest of the file still applies."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path
        self.problems: list[str] = []
        try:
            raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            self.problems.append(f"config file {path} could not be read: {exc}")
            return
        known = leaf_fields(settings_cls)
        by_flat_name = {flat_name(p): p for p in known}
        sections = {
            k: v for k, v in raw.items() if k in (*SECTIONS, "keys") and isinstance(v, dict)
        }
        for key, value in raw.items():  # first the names files were first written with
            if key in sections:
                continue
            if key == "accept_all" and isinstance(value, dict):
                for leaf, item in value.items():
                    place = ("model", "accept_threshold") if leaf == "threshold" else (key, leaf)
                    self._take(place, item, f"accept_all.{leaf}", leaf == "threshold")
            else:  # a top-level key: the setting's flat name
                self._take(by_flat_name.get(key, (key,)), value, key, key in by_flat_name)
        for key, table in sections.items():  # then the sections, which win
            for leaf, item in table.items():
                self._take(
                    (key, leaf), item, f"{key}.{leaf}", key == "keys" or (key, leaf) in known
                )

    def _take(self, path: Place, value: object, spelled: str, known: bool) -> None:
        where = f"{spelled} in config file {self.path}"
        if not known:
            self.problems.append(f"unknown setting {spelled!r} (in config file {self.path})")
            return
        try:
            put(self.values, path, check(self.settings_cls, path, value))
        except ConfigError as exc:
            self.problems.append(f"{exc} ({where})")
