"""Look-alike groups and near-duplicates (additions), read from similarity.json via the core.

A retrain or refit writes the file; the bodies are cached by the core while neither the file
nor the folders they name change, so these are as cheap as GET /api/videos.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api_compat.deps import Svc
from api_compat.schemas import DuplicatesResponse, GroupsResponse

router = APIRouter(prefix="/api")


@router.get("/groups", response_model=GroupsResponse)
def list_groups(svc: Svc) -> Response:
    """Groups of unsorted videos that look alike, each with the model's suggested folder."""
    return Response(svc.similarity.json_bytes("groups"), media_type="application/json")


@router.get("/duplicates", response_model=DuplicatesResponse)
def list_duplicates(svc: Svc) -> Response:
    """Copies of the same content, unsorted (folder null) or already filed."""
    return Response(svc.similarity.json_bytes("duplicates"), media_type="application/json")
