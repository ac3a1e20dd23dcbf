"""The list order the user last chose, shared with the terminal app (core.list_order).

GET /api/videos?order= sorts one answer; this is the remembered choice, so the page opens in
the order last picked on the page or with `o` in the terminal.
"""

from __future__ import annotations

from fastapi import APIRouter

from api_compat.deps import Svc
from api_compat.schemas import UNAVAILABLE, ListOrder
from vidsort_tui.core.list_order import read_order, write_order

router = APIRouter(prefix="/api")


@router.get("/order", response_model=ListOrder)
def get_order(svc: Svc) -> ListOrder:
    return ListOrder.model_validate({"order": read_order(svc.settings.artifacts_dir)})


@router.post("/order", response_model=ListOrder, responses=UNAVAILABLE)
def set_order(body: ListOrder, svc: Svc) -> ListOrder:
    """Remember the order (503 when the artifacts folder cannot be written)."""
    return ListOrder.model_validate({"order": write_order(svc.settings.artifacts_dir, body.order)})
