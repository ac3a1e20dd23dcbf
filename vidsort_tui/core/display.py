"""Text as it may be shown: the one escape for every name and message that reaches a terminal,
a log or a dialog.

A file name is data, and so is anything read back from disk. A terminal acts on control
characters (``\\x9d52;c;…\\x9c`` is OSC 52, which sets the clipboard; ``\\x9d2;…`` the window
title), direction controls reorder what follows them, and line separators break a line
where none is. Each of them is shown as its backslash escape instead (``\\x9d``,
``\\u202e``), and bytes that are not UTF-8 (surrogate escapes) as ``\\xNN``. The name rules
(names.py) refuse the same characters, so a listed name never needs escaping; the escape
is for what is reported (files that are not listed, artifacts, paths, error messages).
"""

from __future__ import annotations

import logging
import re

#: C0 controls, DEL, C1 controls: a terminal acts on them (ESC, CSI, OSC, DCS, APC, ST)
CONTROLS = r"\x00-\x1f\x7f-\x9f"
#: bidirectional marks, embeddings, overrides and isolates: they reorder what follows
DIRECTION_CONTROLS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: line and paragraph separators, and the interlinear annotation marks that hide text
SEPARATORS = r"\u2028\u2029\ufff9-\ufffb"
#: every character that is never shown as itself
UNSHOWABLE = CONTROLS + DIRECTION_CONTROLS + SEPARATORS
SURROGATES = r"\ud800-\udfff"

_IN_TEXT = re.compile(f"[{UNSHOWABLE}{SURROGATES}]")
_IN_NAME = re.compile(rf"[{UNSHOWABLE}{SURROGATES}\\]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":  # an undecodable byte, kept by surrogateescape
        return f"\\x{ord(char) - 0xDC00:02x}" if char >= "\udc80" else f"\\u{ord(char):04x}"
    return char.encode("unicode_escape").decode("ascii")


def display_text(text: str) -> str:
    """``text`` (a message, a path, a reason) with every unshowable character escaped."""
    return _IN_TEXT.sub(_escape, text)


def display_name(name: str) -> str:
    """A name as text that can always be printed: unshowable characters and undecodable bytes
    as backslash escapes, and backslashes doubled, so an escape cannot be mistaken for a name
    that holds one."""
    return _IN_NAME.sub(_escape, name)


class EscapingFormatter(logging.Formatter):
    """Log lines with the message escaped whole and the rest (a traceback) line by line."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        record.message = display_text(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(map(display_text, super().format(record).split("\n")))


def escape_log_output() -> None:
    """Warnings of a process without logging set up (the CLI, a job's log file) escaped:
    they go through ``logging.lastResort``."""
    if logging.lastResort is not None:
        logging.lastResort.setFormatter(EscapingFormatter())
