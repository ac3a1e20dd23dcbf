"""Typed failures of the library: each carries the HTTP status the API answers with, and a
message written for the user (the TUI shows it as is)."""

from __future__ import annotations


class LibraryError(Exception):
    """Base of every expected failure; ``status`` is the HTTP code the API answers with."""

    status = 400


class InvalidName(LibraryError):
    status = 400


class InvalidFolder(LibraryError):
    status = 400


class NotFound(LibraryError):
    status = 404


class AlreadyExists(LibraryError):
    status = 409


class UndoRefused(LibraryError):
    status = 409


class NothingToUndo(LibraryError):
    status = 409


class MoveFailed(LibraryError):
    """The OS refused a move (permissions, other filesystem, disk full); nothing was lost."""

    status = 409


class JournalUnavailable(MoveFailed):
    """The journal cannot be written (full or read-only artifacts): the change was refused
    or rolled back, so the history still matches the folders."""

    status = 503


class Unreadable(LibraryError):
    """The video exists but this process may not read it."""

    status = 403


class LibraryMissing(LibraryError):
    status = 503


class RetrainUnavailable(LibraryError):
    """A retrain cannot start (read-only or full artifacts folder); the message says why."""

    status = 503


class ArtifactsUnavailable(LibraryError):
    """A small state file (such as the list order) cannot be written in ARTIFACTS_DIR."""

    status = 503
