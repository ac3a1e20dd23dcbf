"""Hostile names never reach the terminal raw: the real `vidsort-tui` on a pty that records
every byte it writes, over a library holding files and a folder named with C1 controls (OSC
52 would set the clipboard, OSC 2 the window title) and a predictions file naming an escape.

The bytes are decoded as a UTF-8 terminal decodes them: no C1 code point (U+0080-U+009F) and
no escape sequence from a name may appear, and the names must be shown, escaped; so must text pasted into the picker and the new-folder
dialog.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time

from tests.e2e.pty_terminal import ENTER_ALT_SCREEN, PtyTerminal
from vidsort_tui.core.library import Library

CLIPBOARD = "\u009d52;c;ZWNobyBQV05FRA==\u009cclip.mp4"  # OSC 52: "echo PWNED" to the clipboard
TITLE = "\u009d2;title\u009c.mp4"  # OSC 2: the window title
FOLDER = "\u009b31mred"  # CSI: a colour for everything after it
PREDICTED = "\x1b]2;pwned\x07sea"  # a predicted folder, as a hostile predictions.json says
#: a bracketed paste (from a web page, say) of an OSC 0 that would set the title
PASTE = "\x1b[200~\u009d0;pasted\u009c\x1b[201~".encode()
C1 = re.compile("[\u0080-\u009f]")
#: what a name's escape would look like once a terminal reads it (OSC, CSI in 7 or 8 bits)
FROM_A_NAME = re.compile(r"\x1b\]52|\x1b\]2;|\x9d|\x9b|\]52;c;ZWNo|2;title\x9c")


def test_names_with_c1_controls_are_shown_escaped_and_never_written_raw(library_factory):
    settings = library_factory({"sea": 2, "fire": 2}, unsorted=1)
    regular = Library(settings).unsorted()[0]
    clip = settings.data_dir / regular
    for name in (CLIPBOARD, TITLE):
        shutil.copyfile(clip, settings.data_dir / name)
    (settings.data_dir / FOLDER).mkdir()
    shutil.copyfile(clip, settings.data_dir / FOLDER / "7300000000000001.mp4")
    predictions = {
        name: {"predicted_folder": PREDICTED, "confidence": 0.9,
               "top_predictions": [{"folder": PREDICTED, "confidence": 0.9}]}
        for name in (regular, CLIPBOARD, TITLE)
    }  # fmt: skip
    (settings.artifacts_dir / "predictions.json").write_text(json.dumps(predictions))
    command = [sys.executable, "-m", "vidsort_tui.cli", "--data", str(settings.data_dir),
               "--artifacts", str(settings.artifacts_dir), "--player", "none",
               "--graphics", "halfblock", "--no-auto-train"]  # fmt: skip
    term = PtyTerminal(command, None, cols=120, rows=36)
    try:
        term.wait_for(lambda d: ENTER_ALT_SCREEN in d and b"Folders" in d, 20)
        for _ in range(3):  # every row in turn: the selected name goes to the title line
            time.sleep(0.4)
            term.type(b"j")
        time.sleep(0.4)
        term.type(b"/")  # the folder picker lists every folder by name
        term.wait_for(lambda d: b"File into which folder?" in d, 10)
        term.type(PASTE)  # pasted into the filter: shown escaped, never drawn raw
        term.wait_for(lambda d: b"\\x9d0;pasted" in d, 10)
        term.type(b"\x1b")
        time.sleep(0.5)
        term.type(b"n")  # and into the new folder's name
        term.wait_for(lambda d: b"New folder" in d, 10)
        term.type(PASTE)
        term.wait_for(lambda d: d.count(b"\\x9d0;pasted") >= 2, 10)
        term.type(b"\x1b")
        time.sleep(1.0)
        term.type(b"q")
        assert term.finish() == 0
    finally:
        term.finish(1) if term.process.poll() is None else None
    text = term.data().decode("utf-8", "replace")
    assert not C1.findall(text), sorted(set(C1.findall(text)))
    assert not FROM_A_NAME.findall(text), FROM_A_NAME.findall(text)
    # The only OSC is Textual's own pointer shape (OSC 22); none ends early with a BEL.
    assert set(re.findall(r"\x1b\](\d*)", text)) <= {"22"}, set(re.findall(r"\x1b\](\d*)", text))
    assert text.count("\x07") == text.count("\x1b]22;")
    # Shown, escaped: the files and the folder in the notice of what is not listed, the
    # predicted folder in the list and the title line (the paste was waited for above).
    for escaped in ("\\x9d52;c;", "\\x9d2;title", "\\x9b31mred", "\\x1b]2;pwned"):
        assert escaped in text, escaped
