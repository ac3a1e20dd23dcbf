"""What the terminal can show, asked once before Textual takes the terminal.

One write carries every question: the Kitty graphics query (a=q, once with inline data and
once through shared memory), XTVERSION, the cell size (CSI 16 t) and text area (CSI 14 t),
the Sixel colour registers and largest image (XTSMGRAPHICS), whether it keeps a 24-bit colour
(DECRQSS of the SGR state after setting one), and last the primary device attributes (DA1).
Every terminal answers DA1 and answers in order, so its reply ends the wait at once; a
terminal that answers nothing costs ``timeout`` seconds and gets half-blocks.
Inside tmux or screen the answers would come from the multiplexer, not the terminal that
draws, so the multiplexer decides (see ``detect``).

The colour question is there because TERM lies low: xterm says TERM=xterm (8 colours) and sets
no COLORTERM, so Rich, and so Textual, would draw the theme in the 16 ANSI colours, which each
terminal paints from its own palette (orange became bright red, half-block video a few flat
colours). A terminal that reports the 24-bit colour back has shown it draws it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import struct
import termios
import time
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

MODES = ("auto", "kitty", "sixel", "halfblock")
DEFAULT_CELL = (10, 20)  # the VT340's cell, the usual guess when nothing says otherwise
TIMEOUT = 0.5
KITTY_QUERY_ID = 31
KITTY_SHM_QUERY_ID = 32
SHM_DIR = Path("/dev/shm")
FORCED = "chosen by --graphics or VIDSORT_GRAPHICS"


@dataclass(frozen=True)
class TerminalGraphics:
    """How the video pane draws, and why (shown by --version and the help screen)."""

    mode: str = "halfblock"  # kitty | sixel | halfblock
    cell: tuple[int, int] = DEFAULT_CELL  # pixels of one cell: width, height
    kitty_shm: bool = False  # the terminal reads frames from shared memory (it is local)
    sixel_max: tuple[int, int] | None = None  # the largest sixel image it shows
    terminal: str = ""  # its name and version, when it says (XTVERSION)
    reason: str = ""
    truecolor: bool = False  # it draws 24-bit colours (it said so, or tmux converts them)

    def describe(self) -> str:
        what = {
            "kitty": "Kitty graphics" + (", shared memory" if self.kitty_shm else ", zlib"),
            "sixel": "Sixel",
            "halfblock": "half-block cells",
        }[self.mode]
        if self.mode != "halfblock":
            what += f", {self.cell[0]}x{self.cell[1]}-pixel cells"
        where = f" in {self.terminal}" if self.terminal else ""
        return f"{what}{where}" + (f" ({self.reason})" if self.reason else "")


@dataclass
class Replies:
    """What the terminal answered to the probe; None where it said nothing."""

    kitty: str | None = None  # "OK" or the error the terminal gave
    kitty_shm: str | None = None
    attributes: tuple[int, ...] | None = None  # DA1
    cell: tuple[int, int] | None = None  # CSI 16 t: width, height
    text_area: tuple[int, int] | None = None  # CSI 14 t: width, height
    sixel_colours: int | None = None
    sixel_max: tuple[int, int] | None = None
    version: str | None = None
    sgr: str | None = None  # the SGR state it reported (DECRQSS) after COLOUR_QUESTION


# Set a 24-bit foreground, ask the terminal which SGR is in force, reset. xterm answers
# "0;38:2::1:2:3", kitty "38:2:1:2:3"; a terminal that maps it to its palette says "38:5:n".
COLOUR_QUESTION = b"\x1b[38;2;1;2;3m\x1bP$qm\x1b\\\x1b[m"
_DIRECT_COLOUR = re.compile(r"(?:^|;)38[:;]2[:;]+1[:;]2[:;]3(?:$|;)")


def probe_bytes(shm_name: str | None, graphics: bool = True, kitty: bool = True) -> bytes:
    """The questions, in one write; DA1 last. Without ``graphics``, only the colour one;
    without ``kitty``, no Kitty query (tmux shows an APC string as the pane's title)."""
    out = b""
    if graphics and kitty:
        out += b"\x1b_Gi=%d,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\" % KITTY_QUERY_ID
        if shm_name:
            name = b64encode(shm_name.encode())
            out += b"\x1b_Gi=%d,s=1,v=1,a=q,t=s,f=24;%s\x1b\\" % (KITTY_SHM_QUERY_ID, name)
    if graphics:
        out += b"\x1b[>0q\x1b[16t\x1b[14t\x1b[?1;1;0S\x1b[?2;1;0S"
    return out + COLOUR_QUESTION + b"\x1b[c"


_KITTY = re.compile(rb"\x1b_Gi=(\d+)[^;\x1b]*;([^\x1b]*)\x1b\\")
_DA1 = re.compile(rb"\x1b\[\?([\d;]*)c")
_WINDOW = re.compile(rb"\x1b\[([46]);(\d+);(\d+)t")
_GRAPHICS = re.compile(rb"\x1b\[\?([12]);(\d+)((?:;\d+)*)S")
_VERSION = re.compile(rb"\x1bP>\|([^\x1b]{0,80})\x1b\\")
_SGR_STATE = re.compile(rb"\x1bP1\$r([0-9:;]{0,80})m\x1b\\")


def parse_replies(data: bytes) -> Replies:
    """Pick the answers out of whatever the terminal sent (anything else is ignored)."""
    replies = Replies()
    for image_id, message in _KITTY.findall(data):
        text = message.decode("ascii", "replace")[:80]
        if int(image_id) == KITTY_QUERY_ID:
            replies.kitty = text
        elif int(image_id) == KITTY_SHM_QUERY_ID:
            replies.kitty_shm = text
    if match := _DA1.search(data):
        replies.attributes = tuple(int(p) for p in match.group(1).split(b";") if p.isdigit())
    for kind, height, width in _WINDOW.findall(data):
        size = (int(width), int(height))
        if min(size) > 0:
            if kind == b"6":
                replies.cell = size
            else:
                replies.text_area = size
    for item, status, values in _GRAPHICS.findall(data):
        numbers = [int(v) for v in values.split(b";") if v]
        if status != b"0" or not numbers:
            continue
        if item == b"1":
            replies.sixel_colours = numbers[0]
        elif len(numbers) >= 2 and min(numbers[:2]) > 0:
            replies.sixel_max = (numbers[0], numbers[1])
    if match := _VERSION.search(data):
        replies.version = match.group(1).decode("ascii", "replace").strip()
    if match := _SGR_STATE.search(data):
        replies.sgr = match.group(1).decode("ascii")
    return replies


def draws_truecolor(replies: Replies, inside: str | None) -> bool:
    """The terminal kept the 24-bit colour it was given; or tmux, which converts 24-bit
    colours to whatever the terminal it runs in shows (so they are always safe to send)."""
    return inside == "tmux" or bool(replies.sgr and _DIRECT_COLOUR.search(replies.sgr))


def probe(fd_in: int, fd_out: int, timeout: float = TIMEOUT, kitty: bool = True,
          graphics: bool = True) -> bytes:  # fmt: skip
    """Ask, and read the answers until the DA1 reply or ``timeout`` (echo off meanwhile)."""
    shm_name = _make_probe_shm() if kitty and graphics else None
    saved = termios.tcgetattr(fd_in)
    quiet = termios.tcgetattr(fd_in)
    quiet[3] &= ~(termios.ICANON | termios.ECHO)
    quiet[6][termios.VMIN], quiet[6][termios.VTIME] = 0, 0
    data = b""
    try:
        termios.tcsetattr(fd_in, termios.TCSANOW, quiet)
        os.write(fd_out, probe_bytes(shm_name, graphics, kitty))
        deadline = time.monotonic() + timeout
        while not _DA1.search(data):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd_in], [], [], left)[0]:
                break
            chunk = os.read(fd_in, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
        if shm_name:
            with contextlib.suppress(OSError):
                (SHM_DIR / shm_name).unlink()  # the terminal unlinks it when it reads it
    return data


def _make_probe_shm() -> str | None:
    """A 1x1 RGB shared-memory image for the t=s query, or None where there is no /dev/shm."""
    name = f"vidsort-probe-{os.getpid()}"
    try:
        fd = os.open(SHM_DIR / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        os.write(fd, b"\0\0\0")
    finally:
        os.close(fd)
    return name


def window_pixels(fd: int) -> tuple[int, int, int, int] | None:
    """TIOCGWINSZ: rows, columns, width and height in pixels (pixels 0 when unknown)."""
    try:
        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except OSError:
        return None
    rows, cols, width, height = struct.unpack("HHHH", packed)
    return rows, cols, width, height


def cell_size(
    replies: Replies, winsize: tuple[int, int, int, int] | None
) -> tuple[int, int] | None:
    """Pixels per cell: CSI 16 t, else the window's pixels over its cells; None if unknown."""
    if replies.cell:
        return replies.cell
    if winsize and winsize[0] and winsize[1]:
        rows, cols, width, height = winsize
        if width and height:
            return max(1, width // cols), max(1, height // rows)
        if replies.text_area:
            return max(1, replies.text_area[0] // cols), max(1, replies.text_area[1] // rows)
    return None


def multiplexer(environ: Mapping[str, str]) -> str | None:
    if environ.get("TMUX"):
        return "tmux"
    if environ.get("STY") or environ.get("TERM", "").startswith("screen"):
        return "screen"
    return None


def decide(
    requested: str,
    replies: Replies | None,
    cell: tuple[int, int] | None,
    inside: str | None = None,
) -> TerminalGraphics:
    """The mode from what was asked for and what the terminal answered. Sixel needs the
    cell size (a Sixel image has no size in cells: a wrong guess would spill over the
    widgets around the pane); Kitty images are scaled to the pane's cells anyway."""
    replies = replies or Replies()
    base = TerminalGraphics(
        cell=cell or DEFAULT_CELL,
        kitty_shm=replies.kitty_shm == "OK",
        sixel_max=replies.sixel_max,
        terminal=replies.version or "",
        truecolor=draws_truecolor(replies, inside),
    )
    if requested != "auto":
        said = "" if replies.attributes is not None else "; the terminal did not answer"
        return replace(base, mode=requested, reason=f"{FORCED}{said}")
    if inside == "screen":
        return replace(base, reason="inside GNU screen, which passes no images")
    if replies.kitty == "OK":
        return replace(base, mode="kitty")
    if replies.attributes and 4 in replies.attributes:
        if cell is None:
            return replace(base, reason="Sixel, but the terminal does not say its cell size")
        return replace(base, mode="sixel", reason="tmux with Sixel" if inside == "tmux" else "")
    if inside == "tmux":
        reason = "inside tmux: Kitty images do not pass through its panes, and it has no Sixel"
    elif replies.attributes is None:
        reason = "the terminal did not answer"
    else:
        reason = "the terminal shows neither Kitty graphics nor Sixel"
    return replace(base, reason=reason)


def detect(
    requested: str = "auto",
    environ: Mapping[str, str] | None = None,
    fd_in: int = 0,
    fd_out: int = 2,
    timeout: float = TIMEOUT,
) -> TerminalGraphics:
    """Ask the terminal (stdin, and stderr where Textual writes) unless that cannot help, and
    decide the mode. With half-blocks chosen, only the colour question is asked."""
    environ = os.environ if environ is None else environ
    terminal = os.isatty(fd_in) and os.isatty(fd_out)
    inside = multiplexer(environ)
    if requested == "halfblock" and (not terminal or inside == "screen"):
        return TerminalGraphics(reason=FORCED)
    if not terminal:
        return TerminalGraphics(reason="not a terminal")
    winsize = window_pixels(fd_out)
    if inside == "screen" and requested == "auto":
        return decide(requested, None, cell_size(Replies(), winsize), inside)
    try:
        # Kitty images do not pass through a multiplexer's panes: no Kitty question in one.
        graphics = requested != "halfblock"
        data = probe(fd_in, fd_out, timeout, kitty=inside is None, graphics=graphics)
    except (OSError, termios.error):
        data = b""
    replies = parse_replies(data)
    return decide(requested, replies, cell_size(replies, winsize), inside)
