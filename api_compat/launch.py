"""`vidsort-tui --serve`: uvicorn on 127.0.0.1:8000 by default.

Workers are separate processes that import `api_compat.server:app`, so the settings reach
them as VIDSORT_* variables: the same precedence rules as everywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from vidsort_tui.core.config import Settings


def run(settings: Settings) -> int:
    os.environ.update(settings.to_env())
    Path(settings.artifacts_dir).mkdir(parents=True, exist_ok=True)
    print(
        f"vidsort: serving {settings.data_dir} on http://{settings.server.host}:{settings.server.port}/",
        flush=True,
    )
    uvicorn.run(
        "api_compat.server:app",
        host=settings.server.host,
        port=settings.server.port,
        workers=settings.server.workers,
        log_level="warning",
    )
    return 0
