"""Confidences as the user reads them, and the accept-all test, from one number.

A confidence of 0.7974 rounded for display reads "80%", yet it is below a 0.8 threshold: the
screen would say one thing and `A` do another. Both are decided here from the same integer
(hundredths of a percent, so float noise such as 0.29 * 100 = 28.999… plays no part), and the
display truncates at the threshold's precision: a video shown at or above the threshold is
exactly one that `A` files. The browser page (api_compat/static/app.js) follows the same rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def basis_points(value: float) -> int:
    """Hundredths of a percent, halves rounded up as JavaScript's Math.round does (the page
    must agree): 0.7974 -> 7974."""
    return math.floor(value * 10_000 + 0.5)


@dataclass(frozen=True)
class ConfidenceScale:
    threshold: float  # the accept-all threshold, 0..1

    @property
    def decimals(self) -> int:
        """Decimals a percentage needs to show where the threshold lies (0.8 -> 0, 0.855 -> 1)."""
        points = basis_points(self.threshold)
        return 0 if points % 100 == 0 else 1 if points % 10 == 0 else 2

    def text(self, confidence: float) -> str:
        """Truncated, never rounded up: "79%" for 0.7974 when the threshold is 0.8."""
        unit = 10 ** (2 - self.decimals)
        shown = basis_points(confidence) // unit
        if self.decimals == 0:
            return f"{shown}%"
        return f"{shown / 10**self.decimals:.{self.decimals}f}%"

    def threshold_text(self) -> str:
        return self.text(self.threshold)

    def meets(self, confidence: float) -> bool:
        """Whether `A` files a video predicted with this confidence."""
        return basis_points(confidence) >= basis_points(self.threshold)
