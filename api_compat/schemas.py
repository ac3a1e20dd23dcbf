"""Request and response bodies: the documented ones (shared/reference/api-000) exactly, then
the additions, which only add (new endpoints, new optional fields)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


# ----- documented ---------------------------------------------------------------------------
class SortRequest(BaseModel):
    filename: str = Field(examples=["7234567890123456.mp4"])
    folder: str = Field(examples=["soccer"])


class TopPrediction(BaseModel):
    folder: str
    confidence: float


class VideoItem(BaseModel):
    filename: str
    predicted_folder: str | None
    confidence: float
    top_predictions: list[TopPrediction]
    #: addition: no folder fits this video (a kind with no folder yet); ``predicted_folder``
    #: is then only the best guess, and accepting it is left to the user
    new_kind: bool = False


class VideosResponse(BaseModel):
    videos: list[VideoItem]
    total: int


class FolderItem(BaseModel):
    name: str
    count: int
    #: addition: the number key that files into this folder ("1"…"9", "0"), the same as the
    #: terminal app's and stable across restarts; null for folders beyond the ten keys
    key: str | None = None


class FoldersResponse(BaseModel):
    folders: list[FolderItem]


class SortResponse(BaseModel):
    success: bool
    filename: str
    folder: str
    folders: list[FolderItem]


class RetrainResponse(BaseModel):
    status: Literal["started", "already_running"]


class RetrainStatusResponse(BaseModel):
    running: bool
    last_result: str | None


# ----- additions ----------------------------------------------------------------------------
class UndoRequest(BaseModel):
    count: int = Field(default=1, ge=1, le=100)
    #: drop sorts whose name is taken in the unsorted folder from the history, and undo the
    #: next older ones instead of refusing
    skip_blocked: bool = False


class UndoneItem(BaseModel):
    filename: str
    folder: str


class UndoResponse(BaseModel):
    success: bool
    undone: list[UndoneItem]
    folders: list[FolderItem]
    skipped: list[UndoneItem] = []


class BatchSortRequest(BaseModel):
    items: list[SortRequest] = Field(min_length=1, max_length=1000)
    #: continue the batch an earlier answer named (a big batch sent in parts): still one undo
    batch: str | None = Field(None, pattern=r"^[0-9a-f]{32}$")


class SortFailure(BaseModel):
    filename: str
    folder: str
    detail: str


class BatchSortResponse(BaseModel):
    #: true when every item was filed
    success: bool
    #: the batch's id: one POST /api/undo brings back everything filed under it
    batch: str
    sorted: list[UndoneItem]
    failed: list[SortFailure]
    folders: list[FolderItem]


class NewFolderRequest(BaseModel):
    name: str


class RetrainProgressResponse(BaseModel):
    running: bool
    last_result: str | None
    stage: str | None
    #: what a person reads for ``stage`` ("extracting features"), the same words as the TUI
    stage_label: str | None = None
    #: the words for every stage, also the one a ``last_result`` of "Failed at <stage>" names
    stage_labels: dict[str, str] = {}
    done: int
    total: int
    message: str | None


class ErrorResponse(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"model": ErrorResponse}}


class PageSettings(BaseModel):
    """What the page follows from the config the terminal app reads: the keymap and the
    accept-all threshold (one config file drives both interfaces)."""

    #: the accept-all threshold; a confidence at or above it is shown as sure
    accept_threshold: float
    #: binding id (core/keymap.py: "next", "accept", "folder_1", ...) -> the KeyboardEvent.key
    #: values that trigger it, modifiers first ("ctrl+n")
    keys: dict[str, list[str]]
    #: binding id -> its keys as the terminal app writes them (["j", "↓"])
    key_labels: dict[str, list[str]]


class ListOrder(BaseModel):
    """The unsorted list's order, shared by the page and the terminal app (list_order.json):
    found (as listed), confident / uncertain (most confident / most uncertain first), similar
    (look-alikes together)."""

    order: Literal["found", "confident", "uncertain", "similar"]


class LookalikeGroupItem(BaseModel):
    videos: list[str]
    #: the current model's folder for most of the group (null without a model)
    suggested_folder: str | None
    #: mean pairwise cosine similarity of the members' content embeddings, in [0, 1]
    similarity: float
    #: no folder fits these videos: the first thing to offer is a new folder for them
    new_kind: bool = False


class GroupsResponse(BaseModel):
    groups: list[LookalikeGroupItem]


class DuplicateCopyItem(BaseModel):
    filename: str
    #: null: unsorted (in the root folder)
    folder: str | None


class DuplicateGroupItem(BaseModel):
    videos: list[DuplicateCopyItem]
    similarity: float


class DuplicatesResponse(BaseModel):
    groups: list[DuplicateGroupItem]


class MoveToDuplicatesRequest(BaseModel):
    filename: str = Field(examples=["7234567890123456.mp4"])
