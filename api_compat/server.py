"""The documented HTTP API (shared/reference/api-000) as thin routes over vidsort_tui.core.

`create_app(settings)` builds the app; `app` is built from VIDSORT_* variables so plain
`uvicorn api_compat.server:app [--workers N]` works. Every worker reads status, predictions
and the library from disk through the core, so all workers give the same answers.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from api_compat.guards import RequestGuard
from api_compat.video_response import VideoResponse
from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError, NotFound
from vidsort_tui.core.library import Folder, Library
from vidsort_tui.core.listing import VideoListing
from vidsort_tui.core.metrics import MetricsUnavailable, read_metrics
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.core.undo import undo_sorts
from vidsort_tui.services import jobs

STATIC = Path(__file__).resolve().parent / "static"
VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
               ".webm": "video/webm", ".mkv": "video/x-matroska"}  # fmt: skip


# ----- documented models ------------------------------------------------------------------
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


class VideosResponse(BaseModel):
    videos: list[VideoItem]
    total: int


class FolderItem(BaseModel):
    name: str
    count: int


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


# ----- additions (additive: no documented response changes) --------------------------------
class UndoRequest(BaseModel):
    count: int = Field(1, ge=1, le=100)
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


class NewFolderRequest(BaseModel):
    name: str


class RetrainProgressResponse(BaseModel):
    running: bool
    last_result: str | None
    stage: str | None
    done: int
    total: int
    message: str | None


class ErrorResponse(BaseModel):
    detail: str


# ----- dependencies -----------------------------------------------------------------------
class Services:
    """What the routes need, built once per app (per worker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.library = Library(settings)
        self.predictions = PredictionStore(settings.artifacts_dir)
        self.listing = VideoListing(self.library, self.predictions)


def services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(services)]


def _folders(folders: list[Folder]) -> list[FolderItem]:
    return [FolderItem(name=f.name, count=f.count) for f in folders]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"model": ErrorResponse}}


class SafeJSONResponse(JSONResponse):
    """Error bodies echo what the client sent: ASCII only, and no NaN (JSON has none)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False).encode()


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's 422 body without the echoed input (it may hold NaN, or anything)."""
    return [
        {"type": e.get("type", ""), "loc": [str(p) for p in e.get("loc", ())],
         "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]  # fmt: skip


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="vidsort",
        description="Sort saved videos into folders; predictions from a model trained on them.",
        version="1.0",
    )
    app.state.services = Services(settings)
    # Host, cross-site and body-size checks; X-Vidsort-Worker says which worker answered.
    app.add_middleware(RequestGuard, settings=settings)

    @app.exception_handler(LibraryError)
    async def library_error(_request: Request, exc: LibraryError) -> JSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return SafeJSONResponse({"detail": _validation_errors(exc)}, status_code=422)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/videos", response_model=VideosResponse)
    def list_videos(svc: Svc) -> Response:
        """Unsorted videos (in the root folder) with their predictions."""
        return Response(svc.listing.json_bytes(), media_type="application/json")

    @app.get("/api/folders", response_model=FoldersResponse)
    def list_folders(svc: Svc) -> FoldersResponse:
        return FoldersResponse(folders=_folders(svc.library.folders()))

    @app.post("/api/sort", response_model=SortResponse, responses={**ERRORS, **UNAVAILABLE})
    def sort_video(body: SortRequest, svc: Svc) -> SortResponse:
        """Move an unsorted video into a folder; never overwrites (409 if the name is taken)."""
        svc.library.sort(body.filename, body.folder)
        return SortResponse(
            success=True, filename=body.filename, folder=body.folder,
            folders=_folders(svc.library.folders()),
        )  # fmt: skip

    @app.post("/api/retrain", response_model=RetrainResponse, responses=UNAVAILABLE)
    def start_retrain(svc: Svc) -> RetrainResponse:
        """Start a retrain (503 with the reason when the artifacts folder cannot be written)."""
        return RetrainResponse(status=jobs.start_background(svc.settings))  # type: ignore[arg-type]

    @app.get("/api/retrain/status", response_model=RetrainStatusResponse)
    def retrain_status(svc: Svc) -> RetrainStatusResponse:
        return RetrainStatusResponse(**jobs.read_status(svc.settings.artifacts_dir).to_api())

    video_errors = {**ERRORS, 403: {"model": ErrorResponse}, 416: {"description": "Range"}}

    @app.get("/videos/{filename}", responses=video_errors, response_class=Response)
    def serve_video(filename: str, svc: Svc) -> Response:
        """The video file (root first, then folders), with HTTP Range support."""
        video = svc.library.open_video(filename)
        suffix = Path(filename).suffix.lower()
        media_type = VIDEO_TYPES.get(suffix) or mimetypes.guess_type(filename)[0]
        return VideoResponse(video.fd, video.stat, media_type or "application/octet-stream")

    @app.head("/videos/{filename}", include_in_schema=False)
    def video_headers(filename: str, svc: Svc) -> Response:
        """GET's headers without the body."""
        return serve_video(filename, svc)

    # Additions ----------------------------------------------------------------------------
    @app.post("/api/undo", response_model=UndoResponse, responses={**ERRORS, **UNAVAILABLE})
    def undo(svc: Svc, body: UndoRequest | None = None) -> UndoResponse:
        """Undo the last sort(s), newest first (409 when nothing can be undone; with
        skip_blocked, sorts whose name is taken again are dropped from the history instead)."""
        request = body or UndoRequest()
        done = undo_sorts(svc.library, request.count, request.skip_blocked)
        return UndoResponse(
            success=True, folders=_folders(svc.library.folders()),
            undone=[UndoneItem(filename=e.filename, folder=e.dst) for e in done.undone],
            skipped=[UndoneItem(filename=e.filename, folder=e.dst) for e in done.skipped],
        )  # fmt: skip

    @app.post("/api/folders", response_model=FolderItem, status_code=201, responses=ERRORS)
    def create_folder(body: NewFolderRequest, svc: Svc) -> FolderItem:
        folder = svc.library.create_folder(body.name)
        return FolderItem(name=folder.name, count=folder.count)

    @app.get("/api/metrics", responses={404: {"model": ErrorResponse}})
    def metrics(svc: Svc) -> dict[str, Any]:
        """The last training's cross-validated metrics (metrics.json)."""
        try:
            return read_metrics(svc.settings.artifacts_dir)
        except MetricsUnavailable as exc:
            raise NotFound(str(exc)) from None

    @app.get("/api/retrain/progress", response_model=RetrainProgressResponse)
    def retrain_progress(svc: Svc) -> RetrainProgressResponse:
        status = jobs.read_status(svc.settings.artifacts_dir)
        return RetrainProgressResponse(
            running=status.running, last_result=status.last_result, stage=status.stage,
            done=status.done, total=status.total, message=status.message,
        )  # fmt: skip

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


app = create_app(Settings.load({}))
