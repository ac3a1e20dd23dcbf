"""Take README's screenshots again, as a person sees the app: the terminal app in kitty on a
virtual display (real pixels through kitty's graphics protocol) and the page in Chromium.

    .venv/bin/python scripts/readme_screenshots.py

Needs what `make test` installs (Xvfb, xdotool, ImageMagick's import, kitty, chromium,
Playwright). Works in a temporary folder on a fresh demo library; writes docs/screenshots/.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.x11 import desktop_env, kitty, virtual_display, window_geometry  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
APP = [str(Path(sys.executable).parent / "vidsort-tui")]
COLS, ROWS = 150, 40
PORT = 8799
#: the demo kind taken out of its folder for the "new kind?" screenshot
HIDDEN_KIND = "snow"


def terminal_shot(workdir: Path, args: list[str], keys: list[str], out: Path) -> None:
    """The app in kitty: started with ``args``, sent ``keys``, the window saved as ``out``."""
    runtime = workdir / "xdg"
    runtime.mkdir(exist_ok=True)
    with virtual_display() as display:
        env = desktop_env(display, runtime)
        app = [*APP, *args, "--player", "inline", "--graphics", "kitty", "--mute"]
        script = f"cd {shlex.quote(str(workdir))}; {shlex.join(app)}; sleep 60"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        terminal = subprocess.Popen([*kitty(COLS, ROWS), "sh", "-c", script], env=env, **quiet)
        try:
            x, y, width, height = window_geometry(display, "kitty")
            time.sleep(6)  # the app starts and the first video plays
            for key in keys:
                subprocess.run(["xdotool", "key", key], env=env, check=True)
                time.sleep(0.7)
            time.sleep(2.5)
            subprocess.run(["import", "-display", display, "-window", "root", "-crop",
                            f"{width}x{height}+{x}+{y}", str(out)], check=True)  # fmt: skip
        finally:
            terminal.terminate()
            terminal.wait(10)


def page_shot(workdir: Path, out: Path) -> None:
    """The page of `--demo --serve`, the first video playing, in Chromium."""
    server = subprocess.Popen([*APP, "--demo", "--serve", "--port", str(PORT)], cwd=workdir,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                args=["--autoplay-policy=no-user-gesture-required"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 760})
            deadline = time.monotonic() + 30
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{PORT}/")
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            page.wait_for_selector("#videos li")
            time.sleep(3)  # a few seconds of the video
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([*APP, "--demo", "--retrain"], cwd=work, check=True)
        terminal_shot(work, ["--demo"], [], OUT / "terminal.png")
        page_shot(work, OUT / "page.png")
        # A kind with no folder yet, as in every real unsorted root: its videos say so.
        library = work / "new-kinds"
        shutil.copytree(work / "data" / "demo" / "videos", library)
        for video in (library / HIDDEN_KIND).iterdir():
            video.rename(library / video.name)
        (library / HIDDEN_KIND).rmdir()
        args = ["--data", str(library), "--artifacts", str(work / "new-kinds-artifacts")]
        subprocess.run([*APP, *args, "--retrain"], cwd=work, check=True)
        terminal_shot(work, args, ["o", "o"], OUT / "new-kinds.png")  # most uncertain first
        terminal_shot(work, args, ["g"], OUT / "groups.png")
    for shot in sorted(OUT.glob("*.png")):
        print(f"{shot.relative_to(ROOT)}  {shot.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
