"""Objects saved as plain data: numpy arrays and a JSON spec, rebuilt from an allow-list.

A pickle names the code that rebuilds it, so loading one runs whatever its writer chose; a
model file in the artifacts folder is input anyone with write access there controls. Here
the file is an .npz (``pipeline.npz``: no pickle, sizes checked before reading) whose
``spec`` member is JSON describing the object graph; every other member is an array. The
spec names no code: an object is ``{"object": name, "state": ...}`` where ``name`` must be
a key of the ``classes`` the caller allows, and it is rebuilt as scikit-learn's and the
dataclasses' own pickling would (``cls.__new__`` then ``__setstate__`` or ``__dict__``),
with a state made only of None, bools, numbers, strings, lists, tuples, dicts, arrays,
numpy scalars and other allowed objects. No function, type or attribute is ever looked
up by a name read from the file.

Saving an object of a class not allowed fails at once with its name (so a new part of the
model cannot be written in a form that cannot be read back).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.npz import NpzError, read_npz, write_npz

FORMAT = "vidsort-state"
VERSION = 1
#: deeper than any estimator nests
MAX_DEPTH = 64
#: more objects than any model holds
MAX_OBJECTS = 100_000


class StateError(ValueError):
    """The object cannot be saved, or the file does not describe allowed objects."""


def class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def save_state(path: Path, value: object, classes: Iterable[type], header: dict[str, str]) -> None:
    """Atomically write ``value`` to ``path``; StateError naming what is not allowed."""
    encoder = _Encoder({class_name(c): c for c in classes})
    spec = {"format": FORMAT, "version": VERSION, **header, "root": encoder.encode(value, 0)}
    text = json.dumps(spec, allow_nan=False, separators=(",", ":")).encode()
    write_npz(path, {"spec": np.frombuffer(text, np.uint8), **encoder.arrays})


def load_state(path: Path, classes: Iterable[type], header: dict[str, str], limit: int) -> object:
    """What ``save_state`` wrote with the same ``header``. OSError for a file that is not
    there or not a regular file, StateError for anything else wrong with it."""
    try:
        members = read_npz(path, limit)
    except NpzError as exc:
        raise StateError(str(exc)) from None
    spec_bytes = members.pop("spec", None)
    if spec_bytes is None or spec_bytes.dtype != np.uint8 or spec_bytes.ndim != 1:
        raise StateError("no spec")
    try:
        spec = json.loads(spec_bytes.tobytes())
    except (ValueError, RecursionError) as exc:
        raise StateError(f"the spec is not JSON: {str(exc)[:100]}") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise StateError("not a vidsort state file")
    for key, wanted in {"version": VERSION, **header}.items():
        if spec.get(key) != wanted:
            raise StateError(f"written with {key} {str(spec.get(key))[:40]}, not {wanted}")
    decoder = _Decoder({class_name(c): c for c in classes}, members)
    return decoder.decode(spec.get("root"), 0)


class _Encoder:
    def __init__(self, classes: dict[str, type]) -> None:
        self.classes = classes
        self.arrays: dict[str, np.ndarray] = {}
        self.seen: dict[int, int] = {}  # id(object) -> its number (a second use is a ref)
        self.keep: list[object] = []  # ids stay unique while encoding

    def encode(self, value: object, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise StateError("nested too deeply")
        if isinstance(value, np.ndarray | np.generic):  # before float: np.float64 is one
            name = f"a{len(self.arrays)}"
            self.arrays[name] = np.asarray(value)
            return {"array" if isinstance(value, np.ndarray) else "scalar": name}
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, list | tuple) and type(value) in (list, tuple):
            return {type(value).__name__: [self.encode(item, depth + 1) for item in value]}
        if isinstance(value, dict) and type(value) is dict:
            return {"dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                             for k, v in value.items()]}  # fmt: skip
        return self._object(value, depth)

    def _object(self, value: object, depth: int) -> Any:
        name = class_name(type(value))
        if self.classes.get(name) is not type(value):
            raise StateError(f"{name} is not an allowed class (register it to save it)")
        if id(value) in self.seen:
            return {"ref": self.seen[id(value)]}
        self.seen[id(value)] = number = len(self.seen)
        self.keep.append(value)
        state = value.__getstate__()
        if state is not None and not (
            type(state) is dict and all(isinstance(k, str) for k in state)
        ):
            raise StateError(f"{name} keeps its state in a form this file cannot hold")
        return {"object": name, "id": number, "state": self.encode(state, depth + 1)}


class _Decoder:
    def __init__(self, classes: dict[str, type[Any]], arrays: dict[str, np.ndarray]) -> None:
        self.classes = classes
        self.arrays = arrays
        self.objects: dict[int, object] = {}

    def decode(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise StateError("nested too deeply")
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, dict) and "object" in node:
            return self._object(node, depth)
        if not isinstance(node, dict) or len(node) != 1:
            raise StateError(f"not a value: {str(node)[:60]}")
        [(tag, payload)] = node.items()
        if tag == "float" and payload in ("nan", "inf", "-inf"):
            return float(payload)
        if tag in ("array", "scalar") and isinstance(payload, str) and payload in self.arrays:
            array = self.arrays[payload]
            if tag == "array":
                return array
            if array.ndim:
                raise StateError(f"{payload} is not a scalar")
            return array[()]
        if tag in ("list", "tuple") and isinstance(payload, list):
            items = [self.decode(item, depth + 1) for item in payload]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and isinstance(payload, list):
            return self._dict(payload, depth)
        if tag == "ref" and isinstance(payload, int) and payload in self.objects:
            return self.objects[payload]
        raise StateError(f"not a value: {str(node)[:60]}")

    def _dict(self, pairs: list[Any], depth: int) -> dict[Any, Any]:
        out = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise StateError("a dict entry is not a pair")
            key = self.decode(pair[0], depth + 1)
            if not (key is None or isinstance(key, bool | int | float | str)):
                raise StateError("a dict key is not a plain value")
            out[key] = self.decode(pair[1], depth + 1)
        return out

    def _object(self, node: dict[str, Any], depth: int) -> object:
        name, number = node.get("object"), node.get("id")
        cls: Any = self.classes.get(name) if isinstance(name, str) else None
        if cls is None:
            raise StateError(f"{str(name)[:80]} is not an allowed class")
        if not isinstance(number, int) or number in self.objects:
            raise StateError("objects are numbered wrongly")
        if len(self.objects) >= MAX_OBJECTS:
            raise StateError("too many objects")
        value: object = cls.__new__(cls)  # as pickle does: no __init__, the state follows
        self.objects[number] = value
        state = self.decode(node.get("state"), depth + 1)
        if state is None:
            return value
        if type(state) is not dict or not all(isinstance(k, str) for k in state):
            raise StateError(f"{name}'s state is not a dict of attributes")
        setstate = getattr(value, "__setstate__", None)
        if setstate is not None:
            setstate(state)
        else:
            value.__dict__.update(state)
        return value
