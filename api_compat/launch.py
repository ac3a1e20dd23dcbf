"""`vidsort-tui --serve`: uvicorn on 127.0.0.1:8000 by default.

Workers are separate processes that import `api_compat.server:app`, so the settings reach
them as VIDSORT_* variables: the same precedence rules as everywhere else.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from vidsort_tui.core.config import Settings

#: uvicorn's log set-up with every line escaped: an error's message or traceback may quote
#: a file name, and a name is never written raw to a terminal (core.display)
_ESCAPING = "vidsort_tui.core.display.EscapingFormatter"


def log_config() -> dict[str, Any]:
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"] = {
        "default": {"()": _ESCAPING, "fmt": "%(levelname)s:  %(message)s"},
        "access": {"()": _ESCAPING, "fmt": "%(levelname)s:  %(message)s"},
    }
    return config


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
        log_config=log_config(),
    )
    return 0
