"""The list order the user last chose, shared with the terminal app (core.list_order).

GET /api/videos?order= sorts one answer; this is the remembered choice, so the page opens in
the order last picked on the page or with `o` in the terminal.
"""

from __future__ import annotations

from fastapi import APIRouter

from api_compat.deps import View
from api_compat.schemas import UNAVAILABLE, ListOrder

router = APIRouter(prefix="/api")


@router.get("/order", response_model=ListOrder)
def get_order(view: View) -> ListOrder:
    return ListOrder.model_validate({"order": view.saved_order()})


@router.post("/order", response_model=ListOrder, responses=UNAVAILABLE)
def set_order(body: ListOrder, view: View) -> ListOrder:
    """Remember the order (503 when the artifacts folder cannot be written)."""
    return ListOrder.model_validate({"order": view.save_order(body.order)})
