"""The keymap: every key binding has an id, and the user's TOML config can rebind any of them.

Data and rules only, no interface framework: the terminal app makes Textual bindings of it
(tui/bindings.py) and the server hands it to the page (GET /api/page-settings), so one config
file drives both.

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


@dataclass(frozen=True)
class KeySpec:
    """One binding: its id (the config's name for it), default keys in Textual's notation
    ("j,down"), the TUI action it runs and the footer's words for it."""

    id: str
    keys: str
    action: str
    description: str
    show: bool = True


FOLDER_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]

KEYS: list[KeySpec] = [
    KeySpec("next", "j,down", "move(1)", "Next", show=False),
    KeySpec("previous", "k,up", "move(-1)", "Previous", show=False),
    KeySpec("first", "home", "first", "First", show=False),
    KeySpec("last", "end", "last", "Last", show=False),
    KeySpec("accept", "enter", "accept", "Accept"),
    *[
        KeySpec(f"folder_{i + 1}", key, f"file_into({i})", f"File into folder {i + 1}", show=False)
        for i, key in enumerate(FOLDER_KEYS)
    ],
    KeySpec("pick_folder", "slash", "pick_folder", "Pick folder"),
    KeySpec("new_folder", "n", "new_folder", "New folder"),
    KeySpec("undo", "u", "undo", "Undo"),
    KeySpec("order", "o", "cycle_order", "Order", show=False),
    KeySpec("groups", "g", "groups", "Groups", show=False),
    KeySpec("copy", "c", "other_copy", "Other copy", show=False),
    KeySpec("duplicates", "d", "to_duplicates", "To duplicates", show=False),
    # Help and Quit before Retrain and Accept all: the footer shows bindings in this order,
    # and on a narrow terminal it is the last ones that do not fit.
    KeySpec("help", "question_mark", "help", "Help"),
    KeySpec("quit", "q", "app.quit", "Quit"),
    KeySpec("skip", "s", "skip", "Skip", show=False),
    KeySpec("pause", "space", "pause", "Pause", show=False),
    KeySpec("seek_back", "left", "seek(-5)", "Back 5 s", show=False),
    KeySpec("seek_forward", "right", "seek(5)", "Forward 5 s", show=False),
    KeySpec("mute", "m", "mute", "Mute", show=False),
    KeySpec("retrain", "r", "retrain", "Retrain"),
    KeySpec("accept_all", "A", "accept_all", "Accept all"),
]


#: Textual's own quit key, on every screen whatever the keymap says.
ALWAYS_QUIT = "ctrl+q"

_KEY_NAMES = {"question_mark": "?", "slash": "/", "enter": "Enter", "escape": "Esc",
              "left": "←", "right": "→", "up": "↑", "down": "↓", "space": "space",
              "home": "Home", "end": "End"}  # fmt: skip


def display_key(key: str) -> str:
    """How a key is written on screen: "question_mark" -> "?", "ctrl+n" -> "ctrl+n"."""
    return _KEY_NAMES.get(key, key)


def _split(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def checked_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The config file's [keys] entries that name a binding id, and a problem for each other
    entry and for each key the file takes from another binding (reported at start, since
    the binding that loses a key would otherwise just stop working)."""
    known = {k.id for k in KEYS}
    # Textual splits on "," without stripping: "j, down" would bind " down", never pressed.
    valid = {key_id: ",".join(_split(keys)) for key_id, keys in keymap.items() if key_id in known}
    problems = [f"config: unknown key id {key_id!r}" for key_id in keymap if key_id not in known]
    return valid, problems + _clashes(valid)


def effective_keys(keymap: Mapping[str, str]) -> dict[str, list[str]]:
    """Binding id -> the keys that trigger it once the keymap is applied.

    The keymap's keys win over defaults (Textual removes a default binding from a key the
    keymap reuses); between two ids the keymap gives the same key, the first listed wins.
    """
    taken: dict[str, str] = {}
    for spec in KEYS:
        for key in _split(keymap.get(spec.id, "")):
            taken.setdefault(key, spec.id)
    result: dict[str, list[str]] = {}
    for spec in KEYS:
        if spec.id in keymap:
            result[spec.id] = [k for k in _split(keymap[spec.id]) if taken[k] == spec.id]
        else:
            result[spec.id] = [k for k in _split(spec.keys) if k not in taken]
    return result


def _clashes(keymap: Mapping[str, str]) -> list[str]:
    effective = effective_keys(keymap)
    owner = {key: key_id for key_id, keys in effective.items() for key in keys}
    problems = []
    for spec in KEYS:
        wanted = _split(keymap[spec.id]) if spec.id in keymap else _split(spec.keys)
        for key in wanted:
            if key not in effective[spec.id]:
                problems.append(
                    f"config: {display_key(key)} is bound to {owner[key]}, so it no longer "
                    f"does {spec.id}"
                )
        if not effective[spec.id]:
            problems.append(f"config: {spec.id} has no key left; give it one under [keys]")
    return problems


def keys_for(key_id: str, keymap: Mapping[str, str]) -> str:
    """The keys that trigger ``key_id``, as shown to the user ("j, ↓")."""
    return ", ".join(display_key(k) for k in effective_keys(keymap)[key_id])
