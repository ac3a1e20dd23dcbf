"""The name policy: which file names are videos, which folder names are categories.

One policy for every interface, so a name the API accepts is one the TUI lists and the
pipeline reads. Names are single path components; nothing here touches the disk.
"""

from __future__ import annotations

import os
import re
from itertools import compress

from vidsort_tui.core.config import DEFAULT_NAME_PATTERN
from vidsort_tui.core.errors import InvalidName

MAX_NAME_BYTES = 255
# Characters no name may hold whatever the configured pattern: separators, control
# characters, and undecodable bytes (surrogate escapes). Dot-files are refused too.
_UNSAFE_CHARS = r"\x00-\x1f\x7f/\\\ud800-\udfff"
_UNSAFE = re.compile(rf"[{_UNSAFE_CHARS}]|^\.")
_MAX_CHARS_WITHOUT_BYTE_CHECK = MAX_NAME_BYTES // 4  # UTF-8 uses at most 4 bytes a character
_MEMO_BOUND = 1_000_000


class NamePolicy:
    """Video names: a full, ASCII match of ``pattern`` that is also a safe single component."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._regex = re.compile(rf"(?=[^{_UNSAFE_CHARS}]*\Z)(?!\.)(?:{pattern})\Z", re.ASCII)
        self._memo: dict[str, bool] = {}  # name -> is_valid(name), for names seen before

    def is_valid(self, name: object) -> bool:
        if not isinstance(name, str) or self._regex.match(name) is None:
            return False
        return len(name) <= _MAX_CHARS_WITHOUT_BYTE_CHECK or _fits_in_bytes(name)

    def valid_among(self, names: list[str], ordered: bool = True) -> list[str]:
        """The valid ones among ``names`` (sorted unless ``ordered`` is False).

        Listing 30,000 files is on the hot path (the TUI rescans every ~2 s, the API on every
        request), and the regex costs more than the scandir itself; names seen before are
        answered from a memo with C-level ``map``/``compress``, new names get the regex.
        """
        verdicts = list(map(self._memo.get, names))  # True, False, or None for a new name
        if None in verdicts:
            if len(self._memo) > _MEMO_BOUND:
                self._memo.clear()  # bounded memory; this listing is classified afresh
                verdicts = [None] * len(names)
            # Local verdicts, never re-read from the memo: another thread may clear it meanwhile.
            pairs = zip(names, verdicts, strict=True)
            verdicts = [self._remember(n) if v is None else v for n, v in pairs]
        valid = list(compress(names, verdicts))
        if ordered:
            valid.sort()
        return valid

    def _remember(self, name: str) -> bool:
        self._memo[name] = verdict = self.is_valid(name)
        return verdict

    def check(self, name: object) -> str:
        if not self.is_valid(name):
            shown = repr(name)[:80]
            if self.pattern == DEFAULT_NAME_PATTERN:
                rule = "one file name with a video extension (.mp4 .m4v .mov .webm .mkv)"
            else:
                rule = f"one file name matching {self.pattern!r}"
            raise InvalidName(f"invalid video name {shown}: expected {rule}, at most 255 bytes")
        return name  # type: ignore[return-value]

    @staticmethod
    def is_valid_folder_name(name: object) -> bool:
        """A safe single component; whether the folder exists is the library's question."""
        if not isinstance(name, str) or not name.strip() or name in {".", ".."}:
            return False
        if _UNSAFE.search(name) or os.path.isabs(name):
            return False
        return _fits_in_bytes(name)


def _fits_in_bytes(name: str) -> bool:
    try:
        return len(name.encode("utf-8")) <= MAX_NAME_BYTES
    except UnicodeEncodeError:
        return False
