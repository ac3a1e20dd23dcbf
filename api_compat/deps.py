"""What the routes depend on: one Services object per app (per worker), built from Settings."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from api_compat.bodies import BodyCache
from api_compat.schemas import FolderItem
from vidsort_tui.core.config import Settings
from vidsort_tui.core.folder_keys import key_text
from vidsort_tui.core.library import Folder, Library
from vidsort_tui.core.listing import VideoListing
from vidsort_tui.core.predictions import PredictionStore
from vidsort_tui.core.similarity_store import SimilarityStore


class Services:
    """What the routes need, built once per app (per worker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.library = Library(settings)
        self.predictions = PredictionStore(settings.artifacts_dir)
        self.similarity = SimilarityStore(self.library)
        self.listing = VideoListing(self.library, self.predictions, self.similarity)
        self.bodies = BodyCache()  # the encoded bodies of the hot GETs


def services(request: Request) -> Services:
    return cast(Services, request.app.state.services)  # set by main.create_app, untyped state


Svc = Annotated[Services, Depends(services)]


def folder_items(folders: list[Folder]) -> list[FolderItem]:
    return [FolderItem(name=f.name, count=f.count, key=key_text(f.key)) for f in folders]
