"""What the routes depend on: the library as shown (core.library_view.LibraryView) and the
encoded bodies of the hot GETs (bodies.BodyCache), one of each per app (per worker), set on
``app.state`` by main.create_app."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from api_compat.bodies import BodyCache
from api_compat.schemas import FolderItem
from vidsort_tui.core.folder_keys import key_text
from vidsort_tui.core.library import Folder
from vidsort_tui.core.library_view import LibraryView


def library_view(request: Request) -> LibraryView:
    return cast(LibraryView, request.app.state.view)  # untyped state


def body_cache(request: Request) -> BodyCache:
    return cast(BodyCache, request.app.state.bodies)


View = Annotated[LibraryView, Depends(library_view)]
Bodies = Annotated[BodyCache, Depends(body_cache)]


def folder_items(folders: list[Folder]) -> list[FolderItem]:
    return [FolderItem(name=f.name, count=f.count, key=key_text(f.key)) for f in folders]
