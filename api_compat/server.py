"""`uvicorn api_compat.server:app [--workers N]`: the app, configured by VIDSORT_* variables
(and the config file) like every other way of starting vidsort.

This is the only module that builds an app at import time; everything else calls
api_compat.main.create_app(settings).
"""

from __future__ import annotations

from api_compat.main import create_app
from vidsort_tui.core.config import Settings

app = create_app(Settings.load({}))
