"""GET /api/page-settings: what the page follows from the config file the terminal app
reads (the keymap, the accept-all threshold), as the stage labels come with the retrain
progress: one config drives both interfaces."""

from __future__ import annotations

from fastapi import APIRouter

from api_compat.deps import View
from api_compat.page_keys import page_keys
from api_compat.schemas import PageSettings

router = APIRouter(prefix="/api")


@router.get("/page-settings", response_model=PageSettings)
def page_settings(view: View) -> PageSettings:
    """The keymap (each binding id's browser keys) and the accept-all threshold, so a rebound
    key or a changed threshold applies on the page as in the terminal app."""
    keys, labels = page_keys(view.settings.keys)
    threshold = view.settings.model.accept_threshold
    return PageSettings(accept_threshold=threshold, keys=keys, key_labels=labels)
