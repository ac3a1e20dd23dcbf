"""The real `vidsort-tui` on a pty that answers the graphics probe as kitty or xterm would (or
not at all): the escape stream shows frames replacing one image in place, at the pane's
pixel size, deleted before the app leaves the terminal (on q and on SIGTERM)."""

from __future__ import annotations

import base64
import re
import signal
import sys
import time
import zlib

import pytest

from tests.e2e.pty_terminal import ENTER_ALT_SCREEN, PROBE_END, PtyTerminal
from vidsort_tui.graphics.detect import TIMEOUT

CELL = (10, 20)  # the pty says 1000x600 pixels for 100x30 cells, and so does CSI 16 t
KITTY_NO_SHM = (
    b"\x1b_Gi=31;OK\x1b\\\x1b_Gi=32;ENOENT:cannot open shared memory\x1b\\"
    b"\x1bP>|kitty(0.26.5)\x1b\\\x1b[6;20;10t\x1b[?62;c"
)
XTERM_SGR = b"\x1bP1$r0;38:2::1:2:3m\x1b\\"  # the colour question: it keeps 24-bit colours
XTERM_VT340 = b"\x1bP>|XTerm(379)\x1b\\\x1b[?1;0;256S\x1b[?2;0;1000;600S\x1b[?63;1;2;4;6;9;22c"
APC = re.compile(rb"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")
PLACED_SIXEL = re.compile(rb'\x1b7\x1b\[(\d+);(\d+)H\x1bP0;0;0q"1;1;(\d+);(\d+)')
LEAVE_ALT_SCREEN = b"\x1b[?1049l"


@pytest.fixture
def app_command(library_factory):
    settings = library_factory({"sea": 1, "fire": 1}, unsorted=2)
    return [sys.executable, "-m", "vidsort_tui.cli", "--data", str(settings.data_dir),
            "--artifacts", str(settings.artifacts_dir), "--player", "inline", "--mute"]  # fmt: skip


def kitty_commands(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    return [
        (dict(kv.split("=", 1) for kv in keys.decode().split(",")), payload)
        for keys, payload in APC.findall(data)
    ]


def transmissions(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    """Each a=T command with its whole (reassembled) payload."""
    out: list[tuple[dict[str, str], bytes]] = []
    for keys, payload in kitty_commands(data):
        if keys.get("a") == "T":
            out.append((keys, payload))
        elif set(keys) <= {"m", "q"} and out:
            out[-1] = (out[-1][0], out[-1][1] + payload)
    return out


def test_kitty_frames_replace_one_image_hidden_under_help_and_deleted_on_quit(app_command):
    term = PtyTerminal(app_command, KITTY_NO_SHM)
    try:
        term.wait_for(lambda d: len(transmissions(d)) >= 6, 20)
        term.type(b"?")  # the help screen covers the pane: the image goes
        data = term.wait_for(lambda d: b"a=d,d=i," in d, 10)
        hidden_at = data.rindex(b"a=d,d=i,")
        term.wait_for(lambda d: b"pick_folder" in d[hidden_at:], 10)  # Textual draws the help
        time.sleep(0.5)
        assert not transmissions(term.data()[hidden_at:])  # and no frame comes while it is open
        term.type(b"\x1b")
        term.wait_for(lambda d: transmissions(d[hidden_at:]), 10)  # closed: the video is back
        term.type(b"q")
        assert term.finish() == 0
    finally:
        term.finish(1) if term.process.poll() is None else None
    data = term.data()
    frames = transmissions(data)
    ids = {(keys["i"], keys["p"]) for keys, _ in frames}
    assert len(ids) == 1 and len(frames) >= 6  # one image, one placement, replaced each time
    image_id = ids.pop()[0]
    keys, payload = frames[-1]
    width, height, cols, rows = (int(keys[k]) for k in "svcr")
    assert (width, height) == (cols * CELL[0], rows * CELL[1])  # the pane's pixel size
    assert cols > 40 and rows > 15 and keys["C"] == "1" and keys["q"] == "2"
    assert len(zlib.decompress(base64.b64decode(payload))) == width * height * 3
    place = data.rindex(b"\x1b_Ga=T")
    assert re.search(rb"\x1b7\x1b\[\d+;\d+H$", data[place - 16 : place])  # at the pane's cell
    delete = f"a=d,d=I,i={image_id}".encode()
    assert delete in data[place:]
    assert data.rindex(delete) < data.rindex(LEAVE_ALT_SCREEN)  # freed before leaving the screen
    assert b"\x1bP0;0;0q" not in data  # no sixel


def test_sigterm_deletes_the_kitty_image_too(app_command):
    term = PtyTerminal(app_command, KITTY_NO_SHM)
    try:
        term.wait_for(lambda d: len(transmissions(d)) >= 2, 20)
        term.signal(signal.SIGTERM)
        assert term.finish() == 0
    finally:
        term.finish(1) if term.process.poll() is None else None
    data = term.data()
    image_id = transmissions(data)[0][0]["i"]
    delete = f"a=d,d=I,i={image_id}".encode()
    assert data.rindex(b"\x1b_Ga=T") < data.rindex(delete) < data.rindex(LEAVE_ALT_SCREEN)


def test_sixel_frames_at_the_pane_and_sigterm_restores_the_terminal(app_command):
    term = PtyTerminal(app_command, XTERM_VT340)
    try:
        term.wait_for(lambda d: len(PLACED_SIXEL.findall(d)) >= 4, 20)
        term.signal(signal.SIGTERM)
        assert term.finish() == 0
    finally:
        term.finish(1) if term.process.poll() is None else None
    data = term.data()
    placed = {tuple(map(int, m)) for m in PLACED_SIXEL.findall(data)}
    assert len(placed) == 1  # every frame at the same cell and size
    row, col, width, height = placed.pop()
    assert row > 1 and col > 30 and width % CELL[0] == 0 and height % 6 == 0
    assert not kitty_commands(data[data.index(b"\x1b[c") :])  # no Kitty commands after the probe
    assert data.rindex(b"\x1bP0;0;0q") < data.rindex(LEAVE_ALT_SCREEN)
    assert b"\x1b[?25h" in data[data.rindex(LEAVE_ALT_SCREEN) :]  # cursor back, terminal restored


def test_a_terminal_that_answers_nothing_gets_half_blocks_after_the_timeout(app_command):
    term = PtyTerminal(app_command, None)
    try:
        data = term.wait_for(lambda d: "▀".encode() in d, 20)
        entered = data.index(b"\x1b[?1049h")
        term.type(b"q")
        assert term.finish() == 0
    finally:
        term.finish(1) if term.process.poll() is None else None
    data = term.data()
    probe_at = data.index(PROBE_END)
    assert probe_at < entered  # asked before Textual took the terminal
    assert not kitty_commands(data[probe_at:]) and b"\x1bP0;0;0q" not in data
    # The silence cost the timeout and not much more: Textual started right after it.
    waited = term.seen[ENTER_ALT_SCREEN] - term.seen[PROBE_END]
    assert TIMEOUT - 0.05 <= waited < TIMEOUT + 3


@pytest.mark.parametrize(
    ("answer", "env", "said"),
    [
        (KITTY_NO_SHM, {}, "Kitty graphics, zlib, 10x20-pixel cells in kitty(0.26.5)"),
        (XTERM_VT340, {}, "Sixel, 10x20-pixel cells in XTerm(379)"),
        (
            XTERM_SGR + b"\x1b[?63;1;2;4;6;9;22c",  # asked only the colour question
            {"VIDSORT_GRAPHICS": "halfblock"},
            "half-block cells (chosen by --graphics or VIDSORT_GRAPHICS)",
        ),
        (None, {}, "half-block cells (the terminal did not answer)"),
    ],
)
def test_version_says_how_video_is_drawn_in_this_terminal(answer, env, said):
    term = PtyTerminal([sys.executable, "-m", "vidsort_tui.cli", "--version"], answer, env=env)
    assert term.finish() == 0
    assert f"video in this terminal: {said}".encode() in term.data()


SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colour_kinds(data: bytes) -> set[str]:
    """Which colour forms the SGR sequences in ``data`` use: "24-bit", "256", "16"."""
    kinds: set[str] = set()
    for params in SGR.findall(data):
        codes = [int(p or 0) for p in re.split(rb"[;:]", params)]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48) and i + 1 < len(codes):
                kinds.add("24-bit" if codes[i + 1] == 2 else "256")
                i += 5 if codes[i + 1] == 2 else 3
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                kinds.add("16")
            i += 1
    return kinds


@pytest.mark.parametrize(
    ("answer", "kinds"),
    [
        (XTERM_SGR + XTERM_VT340, {"24-bit"}),
        (None, {"16"}),  # a terminal that says nothing: TERM=xterm's 8 colours, as before
    ],
)
def test_colours_as_the_terminal_shows_them_not_as_term_says(app_command, answer, kinds):
    """xterm sets TERM=xterm (8 colours) and no COLORTERM: asked, it shows it keeps 24-bit
    colours, so the theme is sent as designed rather than mapped to its 16-colour palette."""
    term = PtyTerminal(app_command, answer, env={"TERM": "xterm", "COLORTERM": ""})
    try:
        data = term.wait_for(lambda d: b"Folders" in d and b"Accept" in d, 20)
        term.type(b"q")
        assert term.finish() == 0
    finally:
        term.finish(1) if term.process.poll() is None else None
    drawn = data[data.index(ENTER_ALT_SCREEN) :]
    assert colour_kinds(drawn) == kinds
