"""The library: unsorted videos with predictions, folders, sorting, undo, new folders."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api_compat.deps import Svc, folder_items
from api_compat.schemas import (
    ERRORS,
    UNAVAILABLE,
    FolderItem,
    FoldersResponse,
    NewFolderRequest,
    SortRequest,
    SortResponse,
    UndoneItem,
    UndoRequest,
    UndoResponse,
    VideosResponse,
)
from vidsort_tui.core.undo import undo_sorts

router = APIRouter(prefix="/api")


Order = Literal["found", "confident", "uncertain", "similar"]  # core.ordering.ORDER_MODES


@router.get("/videos", response_model=VideosResponse)
def list_videos(
    svc: Svc,
    order: Annotated[
        Order,
        Query(
            description="found (default: by name), confident or uncertain (most/least "
            "confident prediction first), similar (look-alikes next to each other)"
        ),
    ] = "found",
) -> Response:
    """Unsorted videos (in the root folder) with their predictions."""
    return Response(svc.listing.json_bytes(order), media_type="application/json")


@router.get("/folders", response_model=FoldersResponse)
def list_folders(svc: Svc) -> FoldersResponse:
    return FoldersResponse(folders=folder_items(svc.library.folders()))


@router.post("/sort", response_model=SortResponse, responses={**ERRORS, **UNAVAILABLE})
def sort_video(body: SortRequest, svc: Svc) -> SortResponse:
    """Move an unsorted video into a folder; never overwrites (409 if the name is taken)."""
    svc.library.sort(body.filename, body.folder)
    return SortResponse(
        success=True, filename=body.filename, folder=body.folder,
        folders=folder_items(svc.library.folders()),
    )  # fmt: skip


# Additions ----------------------------------------------------------------------------------
@router.post("/undo", response_model=UndoResponse, responses={**ERRORS, **UNAVAILABLE})
def undo(svc: Svc, body: UndoRequest | None = None) -> UndoResponse:
    """Undo the last sort(s), newest first (409 when nothing can be undone; with
    skip_blocked, sorts whose name is taken again are dropped from the history instead)."""
    request = body or UndoRequest()
    done = undo_sorts(svc.library, request.count, request.skip_blocked)
    return UndoResponse(
        success=True, folders=folder_items(svc.library.folders()),
        undone=[UndoneItem(filename=e.filename, folder=e.dst) for e in done.undone],
        skipped=[UndoneItem(filename=e.filename, folder=e.dst) for e in done.skipped],
    )  # fmt: skip


@router.post("/folders", response_model=FolderItem, status_code=201, responses=ERRORS)
def create_folder(body: NewFolderRequest, svc: Svc) -> FolderItem:
    folder = svc.library.create_folder(body.name)
    return FolderItem(name=folder.name, count=folder.count)
