"""Moving an unsorted near-duplicate into duplicates/ (the page's `d`; core.duplicates).

Never a delete: the folder is created when absent, the move never overwrites, and it is a
journalled sort, so POST /api/undo brings the video back.
"""

from __future__ import annotations

from fastapi import APIRouter

from api_compat.deps import View, folder_items
from api_compat.schemas import ERRORS, UNAVAILABLE, MoveToDuplicatesRequest, SortResponse
from vidsort_tui.core.duplicates import move_to_duplicates

router = APIRouter(prefix="/api")


@router.post("/duplicates/move", response_model=SortResponse, responses={**ERRORS, **UNAVAILABLE})
def move_duplicate(body: MoveToDuplicatesRequest, view: View) -> SortResponse:
    """Move the unsorted video into duplicates/ (409 if that name is there already)."""
    outcome = move_to_duplicates(view.library, body.filename)
    return SortResponse(
        success=True, filename=outcome.filename, folder=outcome.folder,
        folders=folder_items(view.folders()),
    )  # fmt: skip
