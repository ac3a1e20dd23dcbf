"""The terminal app's key bindings, made from the keymap (core/keymap.py): one Textual
Binding per key id, so the config file's [keys] can rebind each (App.set_keymap)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from vidsort_tui.core.keymap import KEYS


def bindings() -> list[BindingType]:
    return [
        Binding(k.keys, k.action, k.description, show=k.show, id=k.id, priority=True) for k in KEYS
    ]
