"""The video files, served from the descriptor the library opened (Range, HEAD)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, Response

from api_compat.deps import Svc
from api_compat.schemas import ERRORS, ErrorResponse
from api_compat.video_response import VideoResponse

router = APIRouter()

VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
               ".webm": "video/webm", ".mkv": "video/x-matroska"}  # fmt: skip
VIDEO_ERRORS = {**ERRORS, 403: {"model": ErrorResponse}, 416: {"description": "Range"}}


@router.get("/videos/{filename}", responses=VIDEO_ERRORS, response_class=Response)
def serve_video(filename: str, svc: Svc) -> Response:
    """The video file (root first, then folders), with HTTP Range support."""
    video = svc.library.open_video(filename)
    suffix = Path(filename).suffix.lower()
    media_type = VIDEO_TYPES.get(suffix) or mimetypes.guess_type(filename)[0]
    return VideoResponse(video.fd, video.stat, media_type or "application/octet-stream")


@router.head("/videos/{filename}", include_in_schema=False)
def video_headers(filename: str, svc: Svc) -> Response:
    """GET's headers without the body."""
    return serve_video(filename, svc)
