"""Read a legacy (pre-1.6) torch ``.pth`` state dict into numpy arrays, without torch.

The file is a run of pickles (magic number, protocol version, system info, the state dict,
the storage keys) followed by each storage's raw bytes. Pickles can run any code they name,
so every pickle here is read by an unpickler that knows only the few names a state dict
needs (an OrderedDict, the tensor-rebuild function, typed storages) and refuses anything
else with ``WeightsError``: a tampered weights file is an error, never a program.
"""

from __future__ import annotations

import io
import pickle
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
MAX_ELEMENTS = 1 << 28  # no tensor in a network we ship comes near this


class WeightsError(Exception):
    """The weights file is damaged, of another format, or names code it must not run."""


@dataclass(frozen=True)
class _StorageType:
    dtype: type


@dataclass
class _Storage:
    key: str
    dtype: type
    numel: int
    data: np.ndarray | None = None


@dataclass(frozen=True)
class _TensorRef:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(
    storage: object, offset: Any, size: Any, stride: Any, *_rest: object
) -> _TensorRef:
    """Stands in for torch._utils._rebuild_tensor_v2: records where the tensor's data is.

    Its arguments come from an untrusted pickle (so Any): each is checked or converted here.
    """
    if not isinstance(storage, _Storage):
        raise WeightsError("a tensor does not refer to a storage")
    try:
        return _TensorRef(storage, int(offset), tuple(map(int, size)), tuple(map(int, stride)))
    except (TypeError, ValueError):
        raise WeightsError("a tensor has a malformed shape") from None


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the names a state dict needs; refuses every other global."""

    def __init__(self, file: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(file)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(STORAGE_DTYPES[name])
        raise WeightsError(f"refusing to load {module}.{name}: only tensor data is allowed")

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise WeightsError("unknown persistent reference (only storages are allowed)")
        kind, key, numel = pid[1], pid[2], pid[4]
        if not isinstance(kind, _StorageType) or not isinstance(key, str):
            raise WeightsError("malformed storage reference")
        if not isinstance(numel, int) or not 0 <= numel <= MAX_ELEMENTS:
            raise WeightsError("storage size out of range")
        storage = self.storages.setdefault(key, _Storage(key, kind.dtype, numel))
        if storage.dtype is not kind.dtype or storage.numel != numel:
            raise WeightsError(f"storage {key} is described two ways")
        return storage


def _load(file: IO[bytes], storages: dict[str, _Storage]) -> Any:
    try:
        return _RestrictedUnpickler(file, storages).load()
    except WeightsError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, struct.error, MemoryError) as exc:  # fmt: skip
        raise WeightsError(f"not a readable torch weights file: {exc}") from None


def read_state_dict(source: Path | bytes) -> dict[str, np.ndarray]:
    """Parameter name -> array (a copy, independent of the file)."""
    data = Path(source).read_bytes() if isinstance(source, Path) else bytes(source)
    if data[:2] == b"PK":
        raise WeightsError("a zip-format (torch >= 1.6) file; only the legacy format is read")
    file = io.BytesIO(data)
    storages: dict[str, _Storage] = {}
    if _load(file, storages) != LEGACY_MAGIC:
        raise WeightsError("not a legacy torch weights file (wrong magic number)")
    _load(file, storages)  # protocol version
    info = _load(file, storages)
    if not isinstance(info, dict) or info.get("little_endian") is not True:
        raise WeightsError("weights not saved on a little-endian machine")
    state = _load(file, storages)
    keys = _load(file, storages)
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise WeightsError("the file does not hold a state dict")
    for key in keys:
        storage = storages.get(key) if isinstance(key, str) else None
        if storage is None:
            raise WeightsError(f"storage {key!r} is listed but never used")
        (count,) = struct.unpack("<q", file.read(8).rjust(8, b"\0"))
        itemsize = np.dtype(storage.dtype).itemsize
        raw = file.read(count * itemsize) if count == storage.numel else b""
        if len(raw) != storage.numel * itemsize:
            raise WeightsError(f"storage {key} is truncated or of the wrong size")
        storage.data = np.frombuffer(raw, storage.dtype)
    return {str(name): _materialise(name, ref) for name, ref in state.items()}


def _materialise(name: object, ref: object) -> np.ndarray:
    if not isinstance(ref, _TensorRef):
        raise WeightsError(f"entry {name!r} is not a tensor")
    flat = ref.storage.data
    if flat is None:
        raise WeightsError(f"tensor {name!r} has no data in the file")
    if len(ref.size) != len(ref.stride) or min((*ref.size, *ref.stride, ref.offset), default=0) < 0:
        raise WeightsError(f"tensor {name!r} has a malformed shape")
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride, strict=True))
    if any(n == 0 for n in ref.size):
        return np.zeros(ref.size, flat.dtype)
    if last >= flat.size:
        raise WeightsError(f"tensor {name!r} reaches past its storage")
    view = np.lib.stride_tricks.as_strided(
        flat[ref.offset :], ref.size, [s * flat.itemsize for s in ref.stride], writeable=False
    )
    return np.array(view)
