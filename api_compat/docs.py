"""/docs (Swagger UI) and /redoc served with no network.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so offline they are blank. The
same pages are built here with FastAPI's documented get_swagger_ui_html/get_redoc_html,
pointing at the asset files the fastapi-offline wheel ships (a maintained package that
tracks Swagger UI and ReDoc releases), mounted under /docs-assets. create_app builds the
app with docs_url=None and redoc_url=None and calls install_docs.

ReDoc also shows a Redocly logo from its CDN (hard-coded in the bundle): the pages carry an
img-src policy limited to this server, so the browser never asks for it, online or not.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS_URL = "/docs-assets"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
NOTHING_FROM_ELSEWHERE = {"Content-Security-Policy": "img-src 'self' data:"}


def install_docs(app: FastAPI) -> None:
    """Add /docs, its OAuth2 redirect page, /redoc and their assets to ``app``."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    def root(request: Request) -> str:
        root_path: str = request.scope.get("root_path", "")  # ASGI: a str
        return root_path.rstrip("/")

    def local_only(page: HTMLResponse) -> HTMLResponse:
        page.headers.update(NOTHING_FROM_ELSEWHERE)
        return page

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        page = get_swagger_ui_html(
            openapi_url=base + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=base + redirect_url if redirect_url else None,
            swagger_js_url=f"{base}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        return local_only(page)

    if redirect_url:

        @app.get(redirect_url, include_in_schema=False)
        def swagger_ui_redirect() -> HTMLResponse:
            return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        page = get_redoc_html(
            openapi_url=base + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{base}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        return local_only(page)
