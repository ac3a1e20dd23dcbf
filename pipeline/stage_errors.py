"""How a pipeline stage fails: errors a job reports as its status, for the user to read."""

from __future__ import annotations


class StageTimeout(Exception):
    """A stage ran past its time limit (900 s by default)."""


class StageError(Exception):
    """A stage cannot do its job; the message says why, for the user."""
