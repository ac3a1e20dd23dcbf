"""The video files, served from the descriptor the library opened (Range, HEAD)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, Response

from api_compat.deps import View
from api_compat.schemas import ERRORS, ErrorResponse
from api_compat.video_response import VideoResponse
from vidsort_tui.core.errors import NotFound
from vidsort_tui.core.media import is_text_file

router = APIRouter()

VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
               ".webm": "video/webm", ".mkv": "video/x-matroska"}  # fmt: skip
VIDEO_ERRORS = {**ERRORS, 403: {"model": ErrorResponse}, 416: {"description": "Range"}}


@router.get("/videos/{filename}", responses=VIDEO_ERRORS, response_class=Response)
def serve_video(filename: str, view: View) -> Response:
    """The video file (root first, then folders), with HTTP Range support. A text file
    named like a video (a playlist: Chromium follows an HLS one even served as video/mp4)
    is not served: 404, as for any name that is not a video file."""
    video = view.library.open_video(filename)
    if is_text_file(video.fd):
        video.close()
        raise NotFound(f"{filename!r} is not a video file: it is text (a playlist or a list "
                       "of links?)")  # fmt: skip
    suffix = Path(filename).suffix.lower()
    media_type = VIDEO_TYPES.get(suffix) or mimetypes.guess_type(filename)[0]
    return VideoResponse(video.fd, video.stat, media_type or "application/octet-stream")


@router.head("/videos/{filename}", include_in_schema=False)
def video_headers(filename: str, view: View) -> Response:
    """GET's headers without the body."""
    return serve_video(filename, view)
