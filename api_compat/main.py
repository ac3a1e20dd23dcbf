"""The app factory: create_app(settings) -> FastAPI, thin routes over the core and services.

Every worker reads status, predictions and the library from disk through the core, so all
workers give the same answers. See ARCHITECTURE.md ("Layers", "A sort from the page").
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api_compat import errors
from api_compat.bodies import BodyCache
from api_compat.docs import install_docs
from api_compat.guards import RequestGuard
from api_compat.routes import (
    duplicate_moves,
    library,
    media,
    order,
    page_settings,
    pages,
    retrain,
    similarity,
)
from api_compat.routes.pages import STATIC
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library_view import LibraryView


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="vidsort",
        description="Sort saved videos into folders; predictions from a model trained on them.",
        version="1.0",
        docs_url=None,  # install_docs serves /docs and /redoc without a CDN
        redoc_url=None,
    )
    install_docs(app)
    app.state.view = LibraryView(settings)  # the library as shown, as the TUI shows it
    app.state.bodies = BodyCache()
    # Every worker starts here (also under `uvicorn api_compat.server:app`, or respawned):
    # a move a crash cut in two is finished before the first request lists the library.
    app.state.view.library.finish_interrupted_moves()
    # Host, cross-site and body-size checks; X-Vidsort-Worker says which worker answered.
    app.add_middleware(RequestGuard, settings=settings)
    errors.install(app)
    routers = (pages.router, library.router, order.router, retrain.router, media.router,
               similarity.router, duplicate_moves.router, page_settings.router)  # fmt: skip
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
