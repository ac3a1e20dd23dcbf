"""The keymap in the browser's words: Textual's key names ("question_mark", "down",
"ctrl+n") as KeyboardEvent.key values ("?", "ArrowDown", "ctrl+n"), so the page binds the
keys the config file gives the terminal app (core/keymap.py), and shows them the same way.

A key with modifiers is written with them first, in the order ctrl, alt, meta, shift
(static/keys.js names a key press the same way); shift is only written for a key whose name
is a word, since a letter's case already says it ("A").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from vidsort_tui.core.keymap import checked_keymap, display_key, effective_keys

MODIFIERS = ("ctrl", "alt", "meta", "shift")

#: Textual's names that are not the key's own character or its Unicode name
_NAMED = {
    "enter": "Enter", "escape": "Escape", "space": " ", "tab": "Tab",
    "backspace": "Backspace", "delete": "Delete", "insert": "Insert",
    "home": "Home", "end": "End", "pageup": "PageUp", "pagedown": "PageDown",
    "up": "ArrowUp", "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight",
    "slash": "/", "backslash": "\\", "at": "@", "minus": "-", "plus": "+", "underscore": "_",
}  # fmt: skip


def browser_key(key: str) -> str | None:
    """``key`` (Textual's notation) as the page names a key press; None: no browser key."""
    *mods, base = key.split("+") if key != "+" else ["+"]
    if any(m not in MODIFIERS for m in mods) or not base:
        return None
    if len(base) == 1:
        name = base
    elif base in _NAMED:
        name = _NAMED[base]
    elif base[0] == "f" and base[1:].isdigit():
        name = base.upper()  # f5 -> F5
    else:
        try:  # "question_mark" -> "?", "full_stop" -> "."
            name = unicodedata.lookup(base.replace("_", " "))
        except KeyError:
            return None
    if len(name) == 1 and "shift" in mods and name != " ":
        mods.remove("shift")  # the character says it: "A", "?"
        name = name.upper()
    return "+".join([*(m for m in MODIFIERS if m in mods), name])


def page_keys(keymap: Mapping[str, str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Binding id -> the browser keys that trigger it, and -> how the terminal app writes
    them (["j", "↓"]), the config file's [keys] applied as the terminal app applies them."""
    valid, _problems = checked_keymap(keymap)  # the terminal app reports the problems
    effective = effective_keys(valid)
    keys = {i: [b for k in ks if (b := browser_key(k)) is not None] for i, ks in effective.items()}
    labels = {key_id: [display_key(k) for k in ks] for key_id, ks in effective.items()}
    return keys, labels
