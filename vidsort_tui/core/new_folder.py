"""A new category folder: made only when no folder there already looks the same.

"café" composed and decomposed, "BARS" and "bars", "bars" with a zero-width space: each pair
is two folders on disk but one to a person, and two number keys, two classes for the model.
A new name is compared with every folder by ``names.folder_key``; a twin is refused
(AlreadyExists, 409) naming the folder that exists. The check and the mkdir run under the
library's lock, so two interfaces creating twins at once cannot both succeed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from vidsort_tui.core.errors import AlreadyExists, MoveFailed
from vidsort_tui.core.moves import file_lock
from vidsort_tui.core.names import RESERVED_FOLDERS, twin_of


def refuse_twin(root_fd: int, name: str) -> None:
    """AlreadyExists when ``name`` or a folder that looks the same is in the open root (for
    vidsort's own ``duplicates``, only the name itself: a category "Duplicates" must not stop
    a copy being moved aside)."""
    with os.scandir(root_fd) as it:
        folders = [e.name for e in it if e.is_dir(follow_symlinks=False)]
    if name in folders:
        raise AlreadyExists(f"folder {name!r} already exists")
    twin = None if name in RESERVED_FOLDERS else twin_of(name, folders)
    if twin is not None:
        raise AlreadyExists(
            f"folder {twin!r} already exists and looks the same as {name!r} (names are "
            f"compared ignoring case and invisible characters): use {twin!r} or choose "
            "another name"
        )


def make_folder(root_fd: int, name: str, lock_path: Path) -> None:
    """mkdir ``name`` (already checked by the folder rule) unless it has a twin; fsynced."""
    with _lock_if_possible(lock_path):
        refuse_twin(root_fd, name)
        try:
            os.mkdir(name, dir_fd=root_fd)
        except FileExistsError:
            raise AlreadyExists(f"folder {name!r} already exists") from None
        except OSError as exc:
            raise MoveFailed(f"cannot create folder {name!r}: {exc.strerror or exc}") from None
        os.fsync(root_fd)


@contextlib.contextmanager
def _lock_if_possible(path: Path) -> Iterator[None]:
    """The lock at ``path``, or none when the artifacts folder cannot hold it (read-only):
    creating a folder does not depend on the artifacts folder."""
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(OSError):
            stack.enter_context(file_lock(path))
        yield
