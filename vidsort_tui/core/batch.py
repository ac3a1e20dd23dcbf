"""Filing many videos as one step: accept-all, or a group of look-alikes filed with one key.

Each video is still sorted on its own (no-overwrite move, then its journal line), so a batch
is never half-moved per video; what makes it a batch is the shared ``batch`` id on its
journal lines, which undo treats as one step. A failure part-way leaves the videos already
moved journalled under that id, so one undo still brings every one of them back.
A function above ``Library`` (which knows nothing of batches), called alike by the TUI (`A`,
a group) and ``POST /api/sort/batch``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from vidsort_tui.core.errors import JournalUnavailable, LibraryError, LibraryMissing
from vidsort_tui.core.journal import JournalEntry
from vidsort_tui.core.library import Library, SortOutcome


@dataclass(frozen=True)
class BatchFailure:
    filename: str
    folder: str
    reason: str  # the library's message, written for the user
    status: int  # the HTTP status the API would answer this failure with


@dataclass
class BatchOutcome:
    """What a batch did: ``sorted`` in order, ``failed`` with reasons; ``batch`` is the id
    on the journal lines of everything sorted (one undo step)."""

    batch: str
    sorted: list[SortOutcome] = field(default_factory=list)
    failed: list[BatchFailure] = field(default_factory=list)


def sort_batch(
    library: Library, pairs: Iterable[tuple[str, str]], batch: str | None = None
) -> BatchOutcome:
    """Sort each (filename, folder) pair as part of one undo step.

    ``batch`` continues a batch begun earlier (its id from that outcome), for callers that
    file a big batch in parts (the page, in requests of bounded size); None begins a new one.

    A video that cannot be filed (name taken, gone, bad folder) is reported in ``failed``
    and the rest go on. When the journal cannot be written or the library is gone, nothing
    more can succeed: the remaining pairs are reported failed with that reason, unattempted.
    """
    outcome = BatchOutcome(batch or JournalEntry.new_batch_id())
    stopped: LibraryError | None = None
    for filename, folder in pairs:
        if stopped is not None:
            outcome.failed.append(BatchFailure(filename, folder, str(stopped), stopped.status))
            continue
        try:
            outcome.sorted.append(library.sort(filename, folder, batch=outcome.batch))
        except (JournalUnavailable, LibraryMissing) as exc:
            stopped = exc
            outcome.failed.append(BatchFailure(filename, folder, str(exc), exc.status))
        except LibraryError as exc:
            outcome.failed.append(BatchFailure(filename, folder, str(exc), exc.status))
    return outcome
