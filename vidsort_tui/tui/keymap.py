"""Key bindings: every one has an id, and the user's TOML config can rebind any of them.

~/.config/vidsort/config.toml (or --config FILE):

    [keys]
    next = "j,down,ctrl+n"
    accept = "enter,y"

    [accept_all]
    threshold = 0.9
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from textual.binding import Binding


@dataclass(frozen=True)
class KeySpec:
    id: str
    keys: str
    action: str
    description: str
    show: bool = True


FOLDER_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]

KEYS: list[KeySpec] = [
    KeySpec("next", "j,down", "move(1)", "Next", show=False),
    KeySpec("previous", "k,up", "move(-1)", "Previous", show=False),
    KeySpec("accept", "enter", "accept", "Accept"),
    *[
        KeySpec(f"folder_{i + 1}", key, f"file_into({i})", f"File into folder {key}", show=False)
        for i, key in enumerate(FOLDER_KEYS)
    ],
    KeySpec("pick_folder", "slash", "pick_folder", "Pick folder"),
    KeySpec("new_folder", "n", "new_folder", "New folder"),
    KeySpec("undo", "u", "undo", "Undo"),
    KeySpec("skip", "s", "move(1)", "Skip", show=False),
    KeySpec("pause", "space", "pause", "Pause", show=False),
    KeySpec("seek_back", "left", "seek(-5)", "Back 5 s", show=False),
    KeySpec("seek_forward", "right", "seek(5)", "Forward 5 s", show=False),
    KeySpec("mute", "m", "mute", "Mute", show=False),
    KeySpec("retrain", "r", "retrain", "Retrain"),
    KeySpec("accept_all", "A", "accept_all", "Accept all"),
    KeySpec("help", "question_mark", "help", "Help"),
    KeySpec("quit", "q", "app.quit", "Quit"),
]


def bindings() -> list[Binding]:
    return [
        Binding(k.keys, k.action, k.description, show=k.show, id=k.id, priority=True) for k in KEYS
    ]


@dataclass
class UserConfig:
    keymap: dict[str, str] = field(default_factory=dict)
    accept_threshold: float = 0.8
    problems: list[str] = field(default_factory=list)


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vidsort" / "config.toml"


def load_config(path: Path | None) -> UserConfig:
    """The user's config; a missing file is fine, a bad one is reported, never fatal."""
    config = UserConfig()
    path = path or default_config_path()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return config
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        config.problems.append(f"config {path}: {exc}")
        return config
    known = {k.id for k in KEYS}
    for key_id, keys in (raw.get("keys") or {}).items():
        if key_id in known and isinstance(keys, str) and keys.strip():
            config.keymap[key_id] = keys
        else:
            config.problems.append(f"config {path}: unknown key id or value {key_id!r}")
    threshold = (raw.get("accept_all") or {}).get("threshold")
    if isinstance(threshold, int | float) and 0 <= threshold <= 1:
        config.accept_threshold = float(threshold)
    elif threshold is not None:
        config.problems.append(f"config {path}: accept_all.threshold must be between 0 and 1")
    return config


def keys_for(key_id: str, keymap: dict[str, str]) -> str:
    spec = next(k for k in KEYS if k.id == key_id)
    return keymap.get(key_id, spec.keys)
