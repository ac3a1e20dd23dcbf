"""Moving a near-duplicate out of the way: into DATA_DIR/duplicates, never deleted.

The folder is reserved (names.DUPLICATES_FOLDER): not a category, so nothing is learned from
or predicted into it. The move is an ordinary journalled sort, so one undo brings it back.
"""

from __future__ import annotations

import contextlib

from vidsort_tui.core.errors import AlreadyExists
from vidsort_tui.core.library import Library, SortOutcome
from vidsort_tui.core.names import DUPLICATES_FOLDER


def move_to_duplicates(library: Library, filename: str) -> SortOutcome:
    """Move the unsorted ``filename`` into the duplicates folder, creating it if absent.

    Never overwrites (a copy of the same name already there is refused, both stay) and
    never follows a link: a file or link named like the folder is refused by the move.
    """
    library.check_name(filename)  # a bad name creates nothing
    with contextlib.suppress(AlreadyExists):  # there already (or a file in its place)
        library.create_folder(DUPLICATES_FOLDER)
    return library.sort(filename, DUPLICATES_FOLDER)
