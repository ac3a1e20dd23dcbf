"""Error answers: a LibraryError becomes its status with a readable detail; a 422 never echoes
what the client sent (it may hold NaN, which JSON cannot carry, or anything else)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from vidsort_tui.core.errors import LibraryError


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


async def _library_error(_request: Request, exc: Exception) -> JSONResponse:
    status = exc.status if isinstance(exc, LibraryError) else 400
    return SafeJSONResponse({"detail": str(exc)}, status_code=status)


async def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    errors = _validation_errors(exc) if isinstance(exc, RequestValidationError) else []
    return SafeJSONResponse({"detail": errors}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LibraryError, _library_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
