"""What the list shows is what `A` files: one rule for display and threshold."""

from __future__ import annotations

import pytest

from tests.tui.conftest import predict_all, rendered
from vidsort_tui.core.library import Library
from vidsort_tui.tui.confidence import ConfidenceScale
from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.video_list import ACCEPTED, VideoList


@pytest.mark.parametrize(
    ("threshold", "confidence", "shown", "filed"),
    [
        (0.8, 0.7974, "79%", False),  # rounding would show 80% and A would skip it
        (0.8, 0.8, "80%", True),
        (0.8, 0.79999999, "80%", True),  # float noise counts as 80.00%
        (0.29, 0.29, "29%", True),  # 0.29 * 100 = 28.999…, still 29%
        (0.8, 0.999, "99%", True),
        (0.8, 1.0, "100%", True),
        (0.855, 0.8549, "85.4%", False),  # a threshold between percents shows a decimal
        (0.855, 0.855, "85.5%", True),
        (0.8555, 0.8554, "85.54%", False),
    ],
)
def test_shown_value_and_accept_all_agree(threshold, confidence, shown, filed):
    scale = ConfidenceScale(threshold)
    assert scale.text(confidence) == shown
    assert scale.meets(confidence) is filed
    # what is shown reaches the threshold as shown exactly when A files the video
    as_number = float(shown.rstrip("%"))
    assert (as_number >= float(scale.threshold_text().rstrip("%"))) is filed


async def test_a_prediction_shown_below_the_threshold_is_not_filed(make_app, tui_library):
    names = Library(tui_library).unsorted()
    predict_all(
        tui_library,
        {names[0]: ("sea", 0.7974), names[1]: ("fire", 0.8), names[2]: ("snow", 0.42)},
    )
    async with make_app().run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        table = pilot.app.screen.query_one(VideoList)
        assert table.get_row_at(0)[2].strip() == "79%"
        assert table.get_row_at(1)[2].strip() == "80%"
        assert table.colour(0.7974) != ACCEPTED and table.colour(0.8) == ACCEPTED
        assert "(79%)" in rendered(pilot.app, "#now")
        await pilot.press("A")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmAcceptAll)
        assert dialog.plan == [(names[1], "fire")]  # the one shown at 80%, not the 79% one
        assert "≥ 80%" in str(dialog.query_one("Static").render())
