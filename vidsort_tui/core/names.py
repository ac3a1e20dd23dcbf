"""The name policy: which file names are videos, which folder names are categories.

One policy for every interface, so a name the API accepts is one the TUI lists and the
pipeline reads. Names are single path components; nothing here touches the disk.
The user's pattern is compiled on its own and must match the whole name; the safe-component
rules are checked separately, so no pattern (balanced or not) can widen them.
A name must also show what it is: no character a terminal acts on or that reorders or
breaks the line (display.UNSHOWABLE), and something visible before its extension. Folders
are compared as a person reads them (``folder_key``), so no new folder can be a look-alike
twin of another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import compress
from typing import TypeGuard

from vidsort_tui.core.config import DEFAULT_NAME_PATTERN, compile_name_pattern
from vidsort_tui.core.display import (
    CONTROLS,
    DIRECTION_CONTROLS,
    SEPARATORS,
    SURROGATES,
    UNSHOWABLE,
)
from vidsort_tui.core.errors import InvalidFolder, InvalidName

MAX_NAME_BYTES = 255
#: where near-duplicates are moved (never deleted): a folder, but not a category -- its videos
#: are not learned from, never predicted, not offered as look-alike suggestions, and the folder
#: takes no number key
DUPLICATES_FOLDER = "duplicates"
RESERVED_FOLDERS = frozenset({DUPLICATES_FOLDER})
#: a category can be learned from once it holds this many videos (training, first-run check)
MIN_EXAMPLES = 2
# Characters no name may hold whatever the configured pattern: separators, characters that
# are never shown as themselves, and undecodable bytes (surrogate escapes). Dot-files are
# refused too.
_UNSAFE_CHARS = rf"{UNSHOWABLE}/\\{SURROGATES}"
_UNSAFE = re.compile(rf"[{_UNSAFE_CHARS}]|^\.")
_BAD_CHARS = re.compile(rf"[{_UNSAFE_CHARS}]")
# Characters that show nothing: white space, and Unicode's default-ignorable code points
# (zero-width spaces and joiners, variation selectors, fillers, tags) and the Braille blank.
_IGNORABLE_CHARS = (
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_VISIBLE = re.compile(rf"[^\s{_IGNORABLE_CHARS}]")
_IGNORABLE = re.compile(f"[{_IGNORABLE_CHARS}]")  # left out when folder names are compared
_MAX_CHARS_WITHOUT_BYTE_CHECK = MAX_NAME_BYTES // 4  # UTF-8 uses at most 4 bytes a character
_MEMO_BOUND = 1_000_000
#: why a name is refused, for each kind of character, most telling first
_CHARACTER_PROBLEMS = (
    (re.compile(f"[{SURROGATES}]"), "is not valid UTF-8"),
    (re.compile(f"[{CONTROLS}]"), "contains a control character"),
    (re.compile(f"[{DIRECTION_CONTROLS}]"), "contains a text-direction control"),
    (re.compile(f"[{SEPARATORS}]"), "contains a line or paragraph separator"),
    (re.compile(r"\\"), "contains a backslash"),
    (re.compile("/"), "contains a /"),
)


def is_safe_component(name: object) -> TypeGuard[str]:
    """One path component that cannot leave its folder and shows what it is: no separators,
    control, direction or line-breaking characters or undecodable bytes, not hidden (so never
    ``.`` or ``..``), something visible before the extension, at most 255 bytes."""
    if not isinstance(name, str) or not name or _UNSAFE.search(name):
        return False
    if not _VISIBLE.search(name.rpartition(".")[0] or name):
        return False
    return len(name) <= _MAX_CHARS_WITHOUT_BYTE_CHECK or _fits_in_bytes(name)


def character_problem(name: str) -> str | None:
    """Why ``name``'s characters break the rules, in words ("contains a control character",
    "shows nothing ..."); None when they do not (its length, a leading dot and the name
    pattern are other rules)."""
    for chars, why in _CHARACTER_PROBLEMS:
        if chars.search(name):
            return why
    if not _VISIBLE.search(name.rpartition(".")[0] or name):
        return "shows nothing (only spaces or invisible characters)"
    return None


def folder_key(name: str) -> str:
    """A folder name as a person reads it: NFC, case-folded, without invisible characters;
    two folders with one key look the same ("café" composed or not, "BARS" and "bars")."""
    text = _IGNORABLE.sub("", unicodedata.normalize("NFC", name))
    return unicodedata.normalize("NFC", text.casefold())


def twin_of(name: str, folders: Iterable[str]) -> str | None:
    """The folder among ``folders`` that looks the same as ``name`` (``name`` itself when it
    is there), None when none does."""
    folders = list(folders)
    if name in folders:
        return name
    key = folder_key(name)
    return next((f for f in sorted(folders) if folder_key(f) == key), None)


def twin_sets(folders: Iterable[str]) -> list[list[str]]:
    """Folders that look the same as each other (made on disk: the app refuses to make one),
    each set sorted, in name order."""
    by_key: dict[str, list[str]] = {}
    for name in sorted(folders):
        by_key.setdefault(folder_key(name), []).append(name)
    return [names for names in by_key.values() if len(names) > 1]


class NamePolicy:
    """Video names: a full, ASCII match of ``pattern`` that is also a safe single component.
    Folder names: safe single components that are not video names."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._regex = compile_name_pattern(pattern)
        self._memo: dict[str, bool] = {}  # name -> is_valid(name), for names seen before

    def is_valid(self, name: object) -> TypeGuard[str]:
        return is_safe_component(name) and self._regex.fullmatch(name) is not None

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
            if isinstance(name, str) and (why := character_problem(name)):
                raise InvalidName(f"invalid video name {shown}: it {why}")
            if self.pattern == DEFAULT_NAME_PATTERN:
                rule = "one file name with a video extension (.mp4 .m4v .mov .webm .mkv)"
            else:
                rule = f"one file name matching {self.pattern!r}"
            raise InvalidName(f"invalid video name {shown}: expected {rule}, at most 255 bytes")
        return name

    def unlisted_reason(self, name: str) -> str | None:
        """Why a file that would be a video but for a character in its name is not listed
        (None for names that do not look like videos at all)."""
        why = character_problem(name)
        if name.startswith(".") or why is None:
            return None
        stand_in = _BAD_CHARS.sub("_", name)  # the name with its bad characters replaced
        if not (self.is_valid(stand_in) or self.is_valid("x" + stand_in)):
            return None
        return f"a file whose name {why} (rename it to sort it)"

    def unused_folder_reason(self, name: str) -> str | None:
        """Why a folder that would be a category but for a character in its name is not one
        (None for hidden folders and names that break no character rule)."""
        why = character_problem(name)
        if name.startswith(".") or why is None:
            return None
        return f"a folder whose name {why} (rename it to sort into it)"

    def is_valid_folder_name(self, name: object) -> TypeGuard[str]:
        """A safe single component that is not a video name (a folder named like a video
        would hide its videos: one rule for scan, sort, undo, lookup and new folders)."""
        return is_safe_component(name) and not self.is_valid(name)

    def check_folder_name(self, name: object) -> str:
        if not self.is_valid_folder_name(name):
            if self.is_valid(name):
                raise InvalidFolder(
                    f"invalid folder name {name!r}: a folder may not be named like a video"
                )
            why = character_problem(name) if isinstance(name, str) else None
            because = f": it {why}" if why else ""
            raise InvalidFolder(f"invalid folder name {repr(name)[:80]}{because}")
        return name


def _fits_in_bytes(name: str) -> bool:
    try:
        return len(name.encode("utf-8")) <= MAX_NAME_BYTES
    except UnicodeEncodeError:
        return False
