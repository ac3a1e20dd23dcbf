"""Terminal detection: the replies of real terminals parsed, and the probe over a real pty
answered (or not) by a thread playing the terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import threading
import time

import pytest

from vidsort_tui.graphics.detect import (
    FORCED,
    TIMEOUT,
    Replies,
    TerminalGraphics,
    cell_size,
    decide,
    detect,
    draws_truecolor,
    parse_replies,
    probe_bytes,
)

# What these terminals answered to our probe here, byte for byte: kitty 0.26.5 (font size 10),
# xterm 379 as `xterm -ti vt340` (no CSI 16 t: window reports are disallowed by default; the
# cell size then comes from the pty), plain xterm (no Sixel), tmux 3.3a.
KITTY = b"\x1b_Gi=31;OK\x1b\\\x1b_Gi=32;OK\x1b\\\x1bP>|kitty(0.26.5)\x1b\\\x1b[6;17;8t\x1b[4;391;640t\x1b[?62;c"
XTERM = b"\x1bP>|XTerm(379)\x1b\\\x1b[?1;0;256S\x1b[?2;0;960;540S\x1b[?63;1;2;4;6;9;15;16;22;28c"
XTERM_PLAIN = b"\x1bP>|XTerm(379)\x1b\\\x1b[?1;3S\x1b[?2;3S\x1b[?64;1;2;6;9;15;16;17;18;21;22;28c"
TMUX = b"\x1bP>|tmux 3.3a\x1b\\\x1b[?1;2c"
# Their answers to the colour question (DECRQSS of the SGR state after a 24-bit foreground);
# tmux 3.3a and screen answer nothing.
XTERM_SGR = b"\x1bP1$r0;38:2::1:2:3m\x1b\\"
KITTY_SGR = b"\x1bP1$r38:2:1:2:3m\x1b\\"
PALETTE_SGR = b"\x1bP1$r0;38:5:16m\x1b\\"  # a terminal that maps it to its 256 colours


def test_parse_kitty():
    r = parse_replies(KITTY)
    assert (r.kitty, r.kitty_shm, r.cell, r.text_area) == ("OK", "OK", (8, 17), (640, 391))
    assert r.attributes == (62,) and r.version == "kitty(0.26.5)"


def test_parse_xterm_with_sixel():
    r = parse_replies(XTERM)
    assert r.kitty is None and 4 in r.attributes and r.cell is None
    assert (r.sixel_colours, r.sixel_max, r.version) == (256, (960, 540), "XTerm(379)")
    plain = parse_replies(XTERM_PLAIN)
    assert 4 not in plain.attributes and plain.sixel_colours is None  # status 3: no Sixel


def test_parse_ignores_garbage_and_errors():
    r = parse_replies(b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\zz\x1b[?2;3;0Sjunk\x1b[6;0;0t\x1b[?c")
    assert r.kitty == "ENOTSUPPORTED:no" and r.sixel_max is None and r.cell is None
    assert r.attributes == ()
    assert parse_replies(b"") == Replies()


@pytest.mark.parametrize(
    ("answer", "inside", "mode", "reason"),
    [
        (KITTY, None, "kitty", ""),
        (XTERM, None, "sixel", ""),
        (XTERM_PLAIN, None, "halfblock", "neither"),
        (b"", None, "halfblock", "did not answer"),
        (TMUX, "tmux", "halfblock", "inside tmux"),
        (TMUX.replace(b"?1;2c", b"?62;4c"), "tmux", "sixel", "tmux with Sixel"),
        (KITTY, "screen", "halfblock", "GNU screen"),
    ],
)
def test_decide(answer, inside, mode, reason):
    graphics = decide("auto", parse_replies(answer), (9, 18), inside)
    assert graphics.mode == mode and reason in graphics.reason
    assert graphics.describe()


def test_a_forced_mode_wins_and_says_so():
    graphics = decide("sixel", parse_replies(KITTY), (9, 18))
    assert graphics.mode == "sixel" and graphics.reason == FORCED
    assert "did not answer" in decide("kitty", parse_replies(b""), (10, 20)).reason
    assert decide("auto", parse_replies(KITTY), (9, 18)).kitty_shm


def test_cell_size_sources_in_order():
    assert cell_size(Replies(cell=(9, 18)), (30, 100, 1000, 600)) == (9, 18)
    assert cell_size(Replies(), (30, 100, 1000, 600)) == (10, 20)  # TIOCGWINSZ pixels
    assert cell_size(Replies(text_area=(800, 480)), (24, 80, 0, 0)) == (10, 20)
    assert cell_size(Replies(), (24, 80, 0, 0)) is None
    assert cell_size(Replies(), None) is None


def test_sixel_needs_a_known_cell_size_kitty_does_not():
    unknown = decide("auto", parse_replies(XTERM), None)
    assert unknown.mode == "halfblock" and "cell size" in unknown.reason
    kitty = decide("auto", parse_replies(KITTY.replace(b"\x1b[6;17;8t", b"")), None)
    assert kitty.mode == "kitty" and kitty.cell == (10, 20)  # a guess: Kitty scales to the cells
    assert decide("sixel", parse_replies(XTERM), None).mode == "sixel"  # asked for: obeyed


class FakeTerminal:
    """The master side of a real pty: answers the probe with ``answer`` (or stays silent)."""

    def __init__(self, answer: bytes | None, winsize=(30, 100, 1000, 600)) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", *winsize))
        self.answer, self.received = answer, b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.received.endswith(b"\x1b[c"):
            try:
                self.received += os.read(self.master, 4096)
            except OSError:
                return
        if self.answer:
            os.write(self.master, self.answer)

    def close(self) -> None:
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def terminal():
    made = []

    def make(answer, **kw):
        made.append(FakeTerminal(answer, **kw))
        return made[-1]

    yield make
    for t in made:
        t.close()


def test_probe_over_a_pty_finds_kitty_and_restores_the_terminal(terminal):
    term = terminal(KITTY)
    before = termios.tcgetattr(term.slave)
    started = time.monotonic()
    graphics = detect("auto", environ={"TERM": "xterm-kitty"}, fd_in=term.slave, fd_out=term.slave)
    assert time.monotonic() - started < TIMEOUT  # the DA1 answer ended the wait
    assert graphics == TerminalGraphics("kitty", (8, 17), True, None, "kitty(0.26.5)", "")
    assert termios.tcgetattr(term.slave) == before  # echo and line mode back as they were
    assert term.received.endswith(b"\x1b[c") and b"a=q" in term.received


def test_a_silent_terminal_gets_half_blocks_within_the_timeout(terminal):
    term = terminal(None)
    started = time.monotonic()
    graphics = detect("auto", environ={}, fd_in=term.slave, fd_out=term.slave, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 0.3 + 0.5
    assert graphics.mode == "halfblock" and graphics.reason == "the terminal did not answer"
    assert graphics.cell == (10, 20)  # from the pty's pixel size


def test_no_probe_inside_screen_nor_when_not_a_terminal(terminal, tmp_path):
    term = terminal(KITTY)
    graphics = detect("auto", environ={"STY": "1.x"}, fd_in=term.slave, fd_out=term.slave)
    assert graphics.mode == "halfblock" and "screen" in graphics.reason
    assert term.received == b""  # nothing was written to the terminal
    with open(tmp_path / "f", "w+b") as f:
        assert detect("auto", fd_in=f.fileno(), fd_out=f.fileno()).reason == "not a terminal"
    assert detect("halfblock").reason == FORCED


@pytest.mark.parametrize(
    ("answer", "inside", "truecolor"),
    [
        (XTERM_SGR + XTERM, None, True),  # TERM=xterm says 8 colours; xterm shows it keeps 24 bits
        (XTERM_SGR + XTERM_PLAIN, None, True),
        (KITTY.replace(b"\x1b[?62;c", KITTY_SGR + b"\x1b[?62;c"), None, True),
        (PALETTE_SGR + XTERM, None, False),
        (b"\x1bP0$r\x1b\\" + XTERM, None, False),  # "invalid request"
        (XTERM, None, False),  # no answer: TERM and COLORTERM decide, as before
        (b"", None, False),
        (TMUX, "tmux", True),  # tmux converts 24-bit colours to what its terminal shows
    ],
)
def test_truecolor_only_where_the_terminal_shows_it(answer, inside, truecolor):
    replies = parse_replies(answer)
    assert draws_truecolor(replies, inside) is truecolor
    assert decide("auto", replies, (9, 18), inside).truecolor is truecolor
    assert decide("halfblock", replies, (9, 18), inside).truecolor is truecolor


def test_the_colour_question_is_asked_before_da1_and_undone():
    asked = probe_bytes(None)
    assert asked.endswith(b"\x1b[38;2;1;2;3m\x1bP$qm\x1b\\\x1b[m\x1b[c")
    assert probe_bytes(None, graphics=False) == b"\x1b[38;2;1;2;3m\x1bP$qm\x1b\\\x1b[m\x1b[c"


def test_half_blocks_chosen_still_asks_the_colour_question_only(terminal):
    term = terminal(XTERM_SGR + XTERM)
    graphics = detect("halfblock", environ={"TERM": "xterm"}, fd_in=term.slave, fd_out=term.slave)
    assert graphics.mode == "halfblock" and graphics.reason == FORCED and graphics.truecolor
    assert term.received == probe_bytes(None, graphics=False)  # no image questions


def test_no_kitty_question_inside_tmux_which_would_show_it_as_the_pane_title(terminal):
    term = terminal(TMUX)
    graphics = detect("auto", environ={"TMUX": "/tmp/x,1,0"}, fd_in=term.slave, fd_out=term.slave)
    assert graphics.mode == "halfblock" and graphics.truecolor
    assert b"\x1b_" not in term.received and term.received == probe_bytes(None, kitty=False)
    assert b"\x1b[?1;1;0S" in term.received  # Sixel is still asked (a tmux built with it)
