"""Retraining: start one (the documented contract), its status, progress and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api_compat.deps import View
from api_compat.schemas import (
    UNAVAILABLE,
    ErrorResponse,
    RetrainProgressResponse,
    RetrainResponse,
    RetrainStatusResponse,
)
from vidsort_tui.core.errors import NotFound
from vidsort_tui.core.metrics import MetricsUnavailable, read_metrics
from vidsort_tui.services import job_status, jobs

router = APIRouter(prefix="/api")


@router.post("/retrain", response_model=RetrainResponse, responses=UNAVAILABLE)
def start_retrain(view: View) -> RetrainResponse:
    """Start a retrain (503 with the reason when the artifacts folder cannot be written)."""
    return RetrainResponse(status=jobs.start_background(view.settings))


@router.get("/retrain/status", response_model=RetrainStatusResponse)
def retrain_status(view: View) -> RetrainStatusResponse:
    return RetrainStatusResponse(**job_status.read_status(view.settings.artifacts_dir).to_api())


# Additions ----------------------------------------------------------------------------------
@router.get("/retrain/progress", response_model=RetrainProgressResponse)
def retrain_progress(view: View) -> RetrainProgressResponse:
    status = job_status.read_status(view.settings.artifacts_dir)
    return RetrainProgressResponse(
        running=status.running, last_result=status.last_result, stage=status.stage,
        stage_label=job_status.stage_label(status.stage) or None, done=status.done,
        stage_labels=job_status.STAGE_LABELS,
        total=status.total, message=status.message,
    )  # fmt: skip


@router.get("/metrics", responses={404: {"model": ErrorResponse}})
def metrics(view: View) -> dict[str, Any]:
    """The last training's cross-validated metrics (metrics.json)."""
    try:
        return read_metrics(view.settings.artifacts_dir)
    except MetricsUnavailable as exc:
        raise NotFound(str(exc)) from None
