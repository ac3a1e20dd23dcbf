"""Key bindings: every one has an id, and the user's TOML config can rebind any of them.

The config file is read with the other settings (core/config.py); ~/.config/vidsort/config.toml
(or --config FILE):

    [keys]
    next = "j,down,ctrl+n"
    accept = "enter,y"

    [accept_all]
    threshold = 0.9
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


def checked_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The config file's [keys] entries that name a binding id, and a problem for each other."""
    known = {k.id for k in KEYS}
    valid = {key_id: keys for key_id, keys in keymap.items() if key_id in known}
    problems = [f"config: unknown key id {key_id!r}" for key_id in keymap if key_id not in known]
    return valid, problems


def keys_for(key_id: str, keymap: Mapping[str, str]) -> str:
    spec = next(k for k in KEYS if k.id == key_id)
    return keymap.get(key_id, spec.keys)
