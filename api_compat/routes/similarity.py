"""Look-alike groups and near-duplicates (additions), read from similarity.json via the core.

A retrain or refit writes the file; the core matches it against the library once per change
(core.similarity_store) and the encoded bodies are reused while that holds (bodies.py), so
these are as cheap as GET /api/videos.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api_compat.deps import Bodies, View
from api_compat.schemas import DuplicatesResponse, GroupsResponse

router = APIRouter(prefix="/api")


@router.get("/groups", response_model=GroupsResponse)
def list_groups(view: View, bodies: Bodies) -> Response:
    """Groups of unsorted videos that look alike, each with the model's suggested folder."""
    return Response(bodies.similarity(view.similarity, "groups"), media_type="application/json")


@router.get("/duplicates", response_model=DuplicatesResponse)
def list_duplicates(view: View, bodies: Bodies) -> Response:
    """Copies of the same content, unsorted (folder null) or already filed."""
    return Response(bodies.similarity(view.similarity, "duplicates"), media_type="application/json")
