"""The library: unsorted videos with predictions, folders, sorting, undo, new folders."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api_compat.deps import Bodies, View, folder_items
from api_compat.errors import SafeJSONResponse
from api_compat.schemas import (
    ERRORS,
    UNAVAILABLE,
    BatchSortRequest,
    BatchSortResponse,
    FolderItem,
    FoldersResponse,
    NewFolderRequest,
    SortFailure,
    SortRequest,
    SortResponse,
    UndoneItem,
    UndoRequest,
    UndoResponse,
    VideosResponse,
)
from vidsort_tui.core import batch
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.undo import undo_sorts
from vidsort_tui.services import learning

router = APIRouter(prefix="/api")


Order = Literal["found", "confident", "uncertain", "similar"]  # core.list_order.ORDER_MODES


@router.get("/videos", response_model=VideosResponse)
def list_videos(
    view: View,
    bodies: Bodies,
    order: Annotated[
        Order,
        Query(
            description="found (default: by name), confident or uncertain (most/least "
            "confident prediction first), similar (look-alikes next to each other)"
        ),
    ] = "found",
) -> Response:
    """Unsorted videos (in the root folder) with their predictions."""
    return Response(bodies.videos(view.listing, order), media_type="application/json")


@router.get("/folders", response_model=FoldersResponse)
def list_folders(view: View) -> FoldersResponse:
    return FoldersResponse(folders=folder_items(view.folders()))


@router.post("/sort", response_model=SortResponse, responses={**ERRORS, **UNAVAILABLE})
def sort_video(body: SortRequest, view: View) -> SortResponse:
    """Move an unsorted video into a folder; never overwrites (409 if the name is taken).
    Every few sorts (in any worker, or the TUI) the model is refitted in the background."""
    view.library.sort(body.filename, body.folder)
    learning.refit_if_due(view.settings)
    return SortResponse(
        success=True, filename=body.filename, folder=body.folder,
        folders=folder_items(view.folders()),
    )  # fmt: skip


# Additions ----------------------------------------------------------------------------------
# ASCII JSON: a failed item echoes the name it was sent, which may hold anything JSON can
# carry, an unpaired surrogate included (UTF-8 cannot: that was a 500).
@router.post("/sort/batch", response_model=BatchSortResponse, responses={**ERRORS, **UNAVAILABLE},
             response_class=SafeJSONResponse)  # fmt: skip
def sort_batch(body: BatchSortRequest, view: View) -> BatchSortResponse:
    """File many videos as one undo step (one POST /api/undo brings them all back). Each is
    moved as /api/sort would; those that cannot be filed are listed in ``failed``. When none
    could be filed the answer is the first failure's status (409, 503, ...)."""
    pairs = [(i.filename, i.folder) for i in body.items]
    outcome = batch.sort_batch(view.library, pairs, body.batch)
    if not outcome.sorted:
        first = outcome.failed[0]
        error = LibraryError(first.reason)
        error.status = first.status
        raise error
    learning.refit_if_due(view.settings)
    return BatchSortResponse(
        success=not outcome.failed, batch=outcome.batch,
        sorted=[UndoneItem(filename=s.filename, folder=s.folder) for s in outcome.sorted],
        failed=[SortFailure(filename=f.filename, folder=f.folder, detail=f.reason)
                for f in outcome.failed],
        folders=folder_items(view.folders()),
    )  # fmt: skip


@router.post("/undo", response_model=UndoResponse, responses={**ERRORS, **UNAVAILABLE})
def undo(view: View, body: UndoRequest | None = None) -> UndoResponse:
    """Undo the last ``count`` steps, newest first: a step is one sort, or a whole batch
    filed by /api/sort/batch (409 when nothing can be undone; with
    skip_blocked, sorts whose name is taken again are dropped from the history instead)."""
    request = body or UndoRequest()
    done = undo_sorts(view.library, request.count, request.skip_blocked)
    # A video back without a prediction gets one from the current model, in the background.
    learning.predict_returned_in_background(view.settings, [e.filename for e in done.undone])
    return UndoResponse(
        success=True, folders=folder_items(view.folders()),
        undone=[UndoneItem(filename=e.filename, folder=e.dst) for e in done.undone],
        skipped=[UndoneItem(filename=e.filename, folder=e.dst) for e in done.skipped],
    )  # fmt: skip


@router.post("/folders", response_model=FolderItem, status_code=201, responses=ERRORS)
def create_folder(body: NewFolderRequest, view: View) -> FolderItem:
    folder = view.create_folder(body.name)
    return folder_items([folder])[0]
