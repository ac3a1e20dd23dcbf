"""Where notices (Textual's toasts) appear on the sorting and group screens.

Textual puts them at the bottom right, over the folder panel and the status line: after `n`
"Folder keys changed: formula1 is on key 5" covered the very folder and key it announced, and
the line that said it too. Here they go to the top right, below the title and the video's
title line, over the video itself (which the graphics layer hands to half-blocks while it is
covered), and never reach down to the folders.
"""

from __future__ import annotations

#: a screen's CSS (scoped to the screen; outranks ToastRack's default CSS)
TOASTS_OVER_THE_VIDEO = """
ToastRack {
    dock: top;
    align: right top;
    margin-top: 1;
    margin-bottom: 0;
    max-height: 50%;
}
"""
