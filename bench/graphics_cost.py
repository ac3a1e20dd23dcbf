"""CPU per frame and bytes per second of each way the video pane can draw, side by side with
mpv's own `--vo=sixel` at the same pixel size, in one run.

1. Encoders alone, on real frames (../shared/realclips, else a generated clip) at 1000x600
   pixels and at 80x24 cells (800x480 pixels; 80x48 for half-blocks): thread CPU ms per frame
   and bytes per frame. Half-blocks are measured as the pane paints them (cell keys and every
   line rendered to terminal text). textual-image's Sixel encoder is timed too when installed.
2. Whole pipelines in separate processes writing to a pty that a thread drains: libmpv
   rendering at the pixel size + our encoder + the writes, against `mpv --vo=sixel` (decode,
   scale, libsixel). Both play the same clip in real time; CPU (user+system, from /proc) and
   frames written are counted over the same window after a warm-up.
Targets: our Sixel <= 1.5x mpv's CPU per frame; Kitty <= our Sixel.
Run: python -m bench.graphics_cost [--window SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import fcntl
import io
import os
import pty
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import av
import cv2
import numpy as np
from rich.console import Console
from textual.app import App, ComposeResult

from bench.common import WORK
from vidsort_tui.demo.clips import ClipSpec, write_clip
from vidsort_tui.graphics import sixel
from vidsort_tui.graphics.detect import SHM_DIR
from vidsort_tui.graphics.kitty import KittyImage
from vidsort_tui.tui.video_view import VideoView, cell_keys

try:  # only for the comparison; not a dependency of vidsort
    from PIL import Image as PILImage
    from textual_image._sixel import image_to_sixels
except ImportError:
    image_to_sixels = None

REALCLIP = (
    Path(__file__).resolve().parents[2] / "shared" / "realclips" / "animals" / "blackswan.mp4"
)
SIZES = {"1000x600 px": (1000, 600, 100, 30), "80x24 cells": (800, 480, 80, 24)}
FPS = 24


def clip() -> Path:
    if REALCLIP.exists():
        return REALCLIP
    path = WORK / "graphics_clip.mp4"
    if not path.exists():
        write_clip(path, ClipSpec("city_night", 4.0, 1, size=(854, 480)))
    return path


def frames(path: Path, size: tuple[int, int], limit: int = 48) -> list[np.ndarray]:
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            out.append(
                cv2.resize(frame.to_ndarray(format="rgb24"), size, interpolation=cv2.INTER_AREA)
            )
            if len(out) == limit:
                break
    return out


def measure(encode, video: list[np.ndarray]) -> tuple[float, float]:
    """Median thread-CPU ms and median bytes per frame."""
    encode(video[0])
    cpu, size = [], []
    for frame in video:
        start = time.thread_time()
        data = encode(frame)
        cpu.append(time.thread_time() - start)
        size.append(len(data))
    return statistics.median(cpu) * 1000, statistics.median(size)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VideoView("none", audio=False)


def half_blocks(video: list[np.ndarray], cols: int, rows: int) -> tuple[float, float]:
    """The pane's own half-block paint: cell keys, every line's strip rendered to text."""

    async def run() -> tuple[float, float]:
        async with PaneApp().run_test(size=(cols, rows)) as pilot:
            view = pilot.app.query_one(VideoView)
            console = Console(color_system="truecolor", width=cols, file=io.StringIO())

            def paint(frame: np.ndarray) -> bytes:
                view._keys = cell_keys(frame)
                return "".join(view.render_line(y).render(console) for y in range(rows)).encode()

            return measure(paint, video)

    return asyncio.run(run())


def encoders(cols: int, rows: int) -> dict:
    kitty_zlib, kitty_shm = KittyImage(1, "zlib"), KittyImage(2, "shm")

    def shm(frame: np.ndarray) -> bytes:
        payload = kitty_shm.frame(frame, cols, rows)
        payload.discard()  # no terminal reads it here
        return payload.data

    table = {
        "sixel (ours)": sixel.encode,
        "kitty zlib (o=z)": lambda f: kitty_zlib.frame(f, cols, rows).data,
        "kitty shared memory (t=s)": shm,
    }
    if image_to_sixels is not None:
        table["sixel (textual-image 0.12)"] = lambda f: image_to_sixels(
            PILImage.fromarray(f)
        ).encode()
    return table


# ----- whole pipelines in child processes ----------------------------------------------------
def child(mode: str, path: str, width: int, height: int, cols: int, rows: int,
          counter: Path | None = None) -> None:  # fmt: skip
    """libmpv at width x height -> our encoder thread -> blocking writes to stdout (the pty);
    with ``counter``, the number of frames written so far is kept in that file."""
    from vidsort_tui.graphics.pump import FramePump
    from vidsort_tui.player.mpv_backend import MpvPlayer

    image = KittyImage(7, "shm" if mode == "kitty-shm" else "zlib")

    def encode(frame: np.ndarray) -> bytes:
        if mode == "sixel":
            return sixel.encode(frame)
        return image.frame(frame, cols, rows).data

    def deliver(data: bytes) -> None:
        view = memoryview(b"\x1b7\x1b[2;1H" + data + b"\x1b8")
        while view:
            view = view[os.write(1, view) :]
        pump.done()
        if counter is not None:
            counter.write_text(str(pump.encoded))

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # for sigwait, in every thread
    pump = FramePump(encode, deliver)
    player = MpvPlayer(pump.submit, audio=False)
    player.resize(width, height)
    player.play(Path(path))
    signal.sigwait({signal.SIGTERM})
    player.close()
    pump.close()
    image.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SHM_COMMAND = re.compile(rb"\x1b_G[^;\x1b]*t=s[^;\x1b]*;([A-Za-z0-9+/=]+)\x1b\\")


def read_shared_memory(data: bytes) -> bytes:
    """Do what the terminal does with t=s frames: take (unlink) them. Returns the unparsed rest."""
    end = 0
    for match in SHM_COMMAND.finditer(data):
        (SHM_DIR / base64.b64decode(match.group(1)).decode()).unlink(missing_ok=True)
        end = match.end()
    return data[end:]


def pipeline(command: list[str], marker: bytes, cells: tuple[int, int], pixels: tuple[int, int],
             warmup: float, window: float) -> tuple[float, int, int]:  # fmt: skip
    """(CPU seconds, frames, bytes) of a program writing frames to a pty, over ``window``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", cells[1], cells[0], *pixels))
    counts = {"frames": 0, "bytes": 0}

    def drain() -> None:
        tail = b""
        while True:
            try:
                chunk = os.read(master, 1 << 20)
            except OSError:
                return
            if not chunk:
                return
            counts["frames"] += (tail[-(len(marker) - 1) :] + chunk).count(marker)
            counts["bytes"] += len(chunk)
            tail = read_shared_memory(tail[-4096:] + chunk)

    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=subprocess.DEVNULL,
                               env={**os.environ, "TERM": "xterm-256color"})  # fmt: skip
    os.close(slave)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    time.sleep(warmup)
    cpu0, frames0, bytes0 = cpu_seconds(process.pid), counts["frames"], counts["bytes"]
    time.sleep(window)
    cpu1, frames1, bytes1 = cpu_seconds(process.pid), counts["frames"], counts["bytes"]
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    reader.join(2)
    os.close(master)
    return cpu1 - cpu0, frames1 - frames0, bytes1 - bytes0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=float, default=6.0, help="seconds measured per pipeline")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path, *numbers = args.child[:6]
        counter = Path(args.child[6]) if len(args.child) > 6 else None
        child(mode, path, *map(int, numbers), counter=counter)
        return
    source = clip()
    print(f"clip: {source.name}; load average before: {os.getloadavg()[0]:.2f} (2 cores, shared)")
    print(
        "\n1. encoders alone: median thread CPU per frame, bytes per frame and per second at 24 fps"
    )
    for label, (width, height, cols, rows) in SIZES.items():
        video = frames(source, (width, height))
        results = {
            "half-blocks (unchanged)": half_blocks(frames(source, (cols, rows * 2)), cols, rows)
        }
        results.update({name: measure(enc, video) for name, enc in encoders(cols, rows).items()})
        for name, (ms, size) in results.items():
            print(f"  {label:12} {name:28} {ms:7.2f} ms  {size / 1e3:8.1f} kB/frame  "
                  f"{size * FPS / 1e6:6.2f} MB/s")  # fmt: skip

    print(
        f"\n2. whole pipelines playing the clip in real time, writing to a pty ({args.window:.0f} s each)"
    )
    here = [sys.executable, "-m", "bench.graphics_cost", "--child"]
    per_frame: dict[tuple[str, str], float] = {}
    for label, (width, height, cols, rows) in SIZES.items():
        numbers = [str(width), str(height), str(cols), str(rows)]
        runs = {
            "mpv --vo=sixel": (["mpv", "--no-config", "--really-quiet", "--no-audio", "--vo=sixel",
                                "--hwdec=no", "--loop-file=inf", f"--vo-sixel-width={width}",
                                f"--vo-sixel-height={height}", str(source)], b"\x1bP"),
            "ours: sixel": ([*here, "sixel", str(source), *numbers], b"\x1bP"),
            "ours: kitty shared memory": ([*here, "kitty-shm", str(source), *numbers], b"a=T"),
            "ours: kitty zlib": ([*here, "kitty-zlib", str(source), *numbers], b"a=T"),
        }  # fmt: skip
        for name, (command, marker) in runs.items():
            cpu, count, size = pipeline(
                command, marker, (cols, rows), (width, height), 2.0, args.window
            )
            per_frame[(label, name)] = cpu * 1000 / max(count, 1)
            print(f"  {label:12} {name:28} {per_frame[(label, name)]:7.2f} ms CPU/frame  "
                  f"{count / args.window:5.1f} frames/s  {size / args.window / 1e6:6.2f} MB/s")  # fmt: skip
    print()
    for label in SIZES:
        ours, mpv = per_frame[(label, "ours: sixel")], per_frame[(label, "mpv --vo=sixel")]
        kitty = min(
            per_frame[(label, "ours: kitty shared memory")], per_frame[(label, "ours: kitty zlib")]
        )
        print(
            f"{label}: our Sixel / mpv's Sixel = {ours / mpv:.2f} (target <= 1.5); "
            f"best Kitty / our Sixel = {kitty / ours:.2f} (target <= 1)"
        )
    if shutil.which("kitty") and shutil.which("Xvfb"):
        print(f"\n3. in a real kitty (Mesa software OpenGL on Xvfb), 1000x600 frames, {args.window:.0f} s each:"
              " CPU of the terminal and of our process per frame")  # fmt: skip
        for mode in ("kitty-shm", "kitty-zlib"):
            terminal, ours, count = in_kitty(mode, source, args.window)
            print(f"  {mode:12} terminal {terminal:6.2f} ms/frame  ours {ours:6.2f} ms/frame  "
                  f"{count / args.window:5.1f} frames/s")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def descendant(pid: int, start: bytes) -> int:
    """The process under ``pid`` whose command line starts with ``start`` (kitty also forks
    a copy of itself that carries the same arguments)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in map(int, (task / "children").read_text().split()):
            if Path(f"/proc/{child}/cmdline").read_bytes().startswith(start):
                return child
            with contextlib.suppress(LookupError):
                return descendant(child, start)
    raise LookupError(start)


def in_kitty(mode: str, source: Path, window: float) -> tuple[float, float, int]:
    """(terminal ms/frame, our ms/frame, frames) with our pipeline running inside kitty."""
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    display = ":" + server.stdout.readline().decode().strip()
    WORK.mkdir(parents=True, exist_ok=True)
    counter = WORK / f"frames-{mode}"
    counter.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.graphics_cost", "--child", mode, str(source),
               "1000", "600", "100", "30", str(counter)]  # fmt: skip
    env = {**os.environ, "DISPLAY": display, "LIBGL_ALWAYS_SOFTWARE": "1",
           "XDG_RUNTIME_DIR": str(WORK)}  # fmt: skip
    terminal = subprocess.Popen(["kitty", "--config", "NONE", "--directory", os.getcwd(),
                                 "-o", "initial_window_width=100c",
                                 "-o", "initial_window_height=30c", *command], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not counter.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        ours_pid = descendant(terminal.pid, sys.executable.encode())
        time.sleep(1.0)
        t0, o0, f0 = cpu_seconds(terminal.pid), cpu_seconds(ours_pid), int(counter.read_text() or 0)
        time.sleep(window)
        t1, o1, f1 = cpu_seconds(terminal.pid), cpu_seconds(ours_pid), int(counter.read_text() or 0)
        os.kill(ours_pid, signal.SIGTERM)
    finally:
        terminal.terminate()
        terminal.wait(10)
        server.terminate()
        server.wait(5)
    frames = max(f1 - f0, 1)
    return (t1 - t0) * 1000 / frames, (o1 - o0) * 1000 / frames, f1 - f0


if __name__ == "__main__":
    main()
