"""Arrays saved as .npz (a zip of .npy members), written and read back as hostile input.

``np.load`` trusts a file: a member's header may declare gigabytes that a few megabytes of
deflated zeros decompress into, and ``allow_pickle`` is one flag away from running code.
``read_npz`` reads a regular file only (``read_regular``), parses each member's header first,
and refuses before reading anything a member or the whole file declares beyond ``limit``
bytes, object or structured dtypes, header sizes that disagree with the zip's, and members
whose bytes are short or fail their CRC. Memory used is the arrays' own size, at most
``limit``.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy

from vidsort_tui.core.atomic import read_regular, write_bytes_atomic

#: the dtype kinds an array file may hold: booleans, numbers, fixed-width text and bytes
KINDS = frozenset("biufcUS")
#: more members than any file vidsort writes has
MAX_MEMBERS = 100_000


class NpzError(ValueError):
    """The file is not an array file vidsort could have written; the message says why."""


def write_npz(path: Path, arrays: Mapping[str, np.ndarray], compress: bool = True) -> None:
    """Atomically: ``arrays`` as ``name.npy`` members (readable by ``np.load`` too)."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, array in arrays.items():
            _check_dtype(np.asarray(array).dtype, name)
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                npy.write_array(member, np.asanyarray(array), allow_pickle=False)
    write_bytes_atomic(path, buffer.getvalue())


def read_npz(path: Path, limit: int) -> dict[str, np.ndarray]:
    """Every member of the .npz at ``path``; OSError for a special file or one larger than
    ``limit``, NpzError for anything else wrong with it. Arrays are writable."""
    data = read_regular(path, limit + (1 << 20))  # deflate never makes data much larger
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise NpzError(f"{len(infos)} members")
            declared = sum(info.file_size for info in infos)
            if declared > limit + len(infos) * 4096:  # headers are small
                raise NpzError(f"its members declare {declared} bytes, over {limit}")
            out: dict[str, np.ndarray] = {}
            budget = limit
            for info in infos:
                name = info.filename.removesuffix(".npy")
                if name == info.filename or name in out:
                    raise NpzError(f"unexpected member {info.filename!r}")
                with archive.open(info) as member:
                    out[name] = _read_member(member, info.file_size, budget, name)
                budget -= out[name].nbytes
            return out
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError) as exc:
        raise NpzError(f"not a readable zip: {exc}") from None


def _read_member(member: IO[bytes], size: int, budget: int, name: str) -> np.ndarray:
    try:
        version = npy.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = npy.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran, dtype = npy.read_array_header_2_0(member)
        else:
            raise NpzError(f"{name}: .npy version {version} is not one vidsort writes")
    except ValueError as exc:  # numpy's own refusals: bad magic, bad or oversized header
        raise NpzError(f"{name}: {exc}") from None
    _check_dtype(dtype, name)
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise NpzError(f"{name}: shape {shape}")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > budget:
        raise NpzError(f"{name}: declares {nbytes} bytes, over the {budget} left")
    if size != member.tell() + nbytes:
        raise NpzError(f"{name}: its header and the zip disagree on its size")
    buffer, got = bytearray(nbytes), 0  # filled a chunk at a time: no second copy
    while got < nbytes and (chunk := member.read(min(1 << 20, nbytes - got))):
        buffer[got : got + len(chunk)] = chunk
        got += len(chunk)
    if got != nbytes or member.read(1):  # reading to the end checks the CRC
        raise NpzError(f"{name}: its data is not the size its header declares")
    array = np.frombuffer(buffer, dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def _check_dtype(dtype: np.dtype, name: str) -> None:
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in KINDS:
        raise NpzError(f"{name}: dtype {dtype} is not plain numbers or text")
