"""The name policy: which file names are videos, which folder names are categories.

One policy for every interface, so a name the API accepts is one the TUI lists and the
pipeline reads. Names are single path components; nothing here touches the disk.
The user's pattern is compiled on its own and must match the whole name; the safe-component
rules are checked separately, so no pattern (balanced or not) can widen them.
"""

from __future__ import annotations

import re
from itertools import compress

from vidsort_tui.core.config import DEFAULT_NAME_PATTERN, ConfigError
from vidsort_tui.core.errors import InvalidFolder, InvalidName

MAX_NAME_BYTES = 255
#: where near-duplicates are moved (never deleted): a folder, but not a category -- its videos
#: are not learned from, never predicted, and not offered as look-alike suggestions
DUPLICATES_FOLDER = "duplicates"
RESERVED_FOLDERS = frozenset({DUPLICATES_FOLDER})
# Characters no name may hold whatever the configured pattern: separators, control
# characters, and undecodable bytes (surrogate escapes). Dot-files are refused too.
_UNSAFE_CHARS = r"\x00-\x1f\x7f/\\\ud800-\udfff"
_UNSAFE = re.compile(rf"[{_UNSAFE_CHARS}]|^\.")
_BAD_CHARS = re.compile(rf"[{_UNSAFE_CHARS}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPED = re.compile(r"[\x00-\x1f\x7f\\]")
_MAX_CHARS_WITHOUT_BYTE_CHECK = MAX_NAME_BYTES // 4  # UTF-8 uses at most 4 bytes a character
_MEMO_BOUND = 1_000_000


def compile_name_pattern(pattern: str) -> re.Pattern[str]:
    """The user's pattern on its own (ASCII classes); ConfigError if it is not a regex."""
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise ConfigError(f"name pattern {pattern!r} is not a valid regex: {exc}") from None


def is_safe_component(name: object) -> bool:
    """One path component that cannot leave its folder: no separators, control characters or
    undecodable bytes, not hidden (so never ``.`` or ``..``), at most 255 bytes."""
    if not isinstance(name, str) or not name or _UNSAFE.search(name):
        return False
    return len(name) <= _MAX_CHARS_WITHOUT_BYTE_CHECK or _fits_in_bytes(name)


def display_name(name: str) -> str:
    """A name as text that can always be printed: undecodable bytes and control characters
    as backslash escapes."""
    text = _ESCAPED.sub(lambda m: m.group().encode("unicode_escape").decode(), name)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class NamePolicy:
    """Video names: a full, ASCII match of ``pattern`` that is also a safe single component.
    Folder names: safe single components that are not video names."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._regex = compile_name_pattern(pattern)
        self._memo: dict[str, bool] = {}  # name -> is_valid(name), for names seen before

    def is_valid(self, name: object) -> bool:
        return is_safe_component(name) and self._regex.fullmatch(name) is not None  # type: ignore[arg-type]

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

    def unlisted_reason(self, name: str) -> str | None:
        """Why a file that would be a video but for a character in its name is not listed
        (None for names that do not look like videos at all)."""
        if name.startswith(".") or not _BAD_CHARS.search(name):
            return None
        if not self.is_valid(_BAD_CHARS.sub("_", name)):
            return None
        if _SURROGATE.search(name):
            why = "is not valid UTF-8"
        elif "\\" in name:
            why = "contains a backslash"
        else:
            why = "contains a control character"
        return f"a file whose name {why} (rename it to sort it)"

    def is_valid_folder_name(self, name: object) -> bool:
        """A safe single component that is not a video name (a folder named like a video
        would hide its videos: one rule for scan, sort, undo, lookup and new folders)."""
        if not is_safe_component(name) or not name.strip():  # type: ignore[union-attr]
            return False
        return not self.is_valid(name)

    def check_folder_name(self, name: object) -> str:
        if not self.is_valid_folder_name(name):
            if self.is_valid(name):
                raise InvalidFolder(
                    f"invalid folder name {name!r}: a folder may not be named like a video"
                )
            raise InvalidFolder(f"invalid folder name {repr(name)[:80]}")
        return name  # type: ignore[return-value]


def _fits_in_bytes(name: str) -> bool:
    try:
        return len(name.encode("utf-8")) <= MAX_NAME_BYTES
    except UnicodeEncodeError:
        return False
