"""The status line at 80x24 tells the truth about a retrain: its real stage, never cut for
older notes, and passing news that goes away. The retrain is played by this test holding
the real lock and writing the real status file, as the background job does."""

from __future__ import annotations

import os

from tests.tui.conftest import rendered, wait_for
from vidsort_tui.services import job_lock, job_status
from vidsort_tui.tui import status_bar


async def test_live_stage_at_80_columns_and_news_that_expires(make_app, tui_library, monkeypatch):
    monkeypatch.setattr(status_bar, "STALE_SECONDS", 1.0)
    art = tui_library.artifacts_dir
    lock = job_lock.try_lock(art)
    assert lock is not None
    running = job_status.RetrainStatus(True, None, "extract_features.py", 3, 7, pid=os.getpid())
    job_status.write_status(art, running)
    try:
        async with make_app().run_test(size=(80, 24)) as pilot:
            app = pilot.app
            line = lambda: rendered(app, "#status")  # noqa: E731
            await wait_for(pilot, lambda: "retraining: extracting features 3/7" in line())
            await pilot.press("enter")  # a sort: a newer note than the live one
            await wait_for(pilot, lambda: app.screen.query_one("#status").last_action)
            assert "retraining: extracting features 3/7" in line()  # never dropped...
            assert "no model yet" not in line()  # ...the oldest note made room
            assert len(line()) <= 80
            job_status.write_status(art, job_status.RetrainStatus(True, None, "train.py", 0, 1))
            await wait_for(pilot, lambda: "retraining: training…" in line())
            assert "extracting" not in line() and "3/7" not in line()
            job_status.write_status(art, job_status.RetrainStatus(True, None, "predict.py", 0, 1))
            await wait_for(pilot, lambda: "retraining: predicting…" in line())
            job_status.write_status(art, job_status.RetrainStatus(False, "success"))
            os.close(lock)
            lock = None
            await wait_for(pilot, lambda: "retrain done" in line())
            assert "retraining" not in line()
            await wait_for(pilot, lambda: "retrain done" not in line(), 5)  # stale: gone
    finally:
        if lock is not None:
            os.close(lock)
