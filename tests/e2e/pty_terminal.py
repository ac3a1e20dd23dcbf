"""A program run on a real pty whose other end plays a terminal: it answers the graphics
probe (or stays silent), records every byte the program writes, and types keys."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence

PROBE_END = b"\x1b[c"  # DA1 closes our probe
ENTER_ALT_SCREEN = b"\x1b[?1049h"  # Textual takes the terminal


class PtyTerminal:
    def __init__(self, command: Sequence[str], answer: bytes | None, *, cols: int = 100,
                 rows: int = 30, pixels: tuple[int, int] = (1000, 600),
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, *pixels))
        self.answer = answer
        self.output = bytearray()
        self.started = time.monotonic()
        self.seen: dict[bytes, float] = {}  # marker -> when it first arrived
        self.markers = (PROBE_END, ENTER_ALT_SCREEN)
        self._lock = threading.Lock()
        environ = {k: v for k, v in os.environ.items() if k not in {"TMUX", "STY"}}
        environ.update({"TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})})
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave,
                                        env=environ, start_new_session=True)  # fmt: skip
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 1 << 20)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk
                for marker in self.markers:
                    if marker not in self.seen and marker in self.output:
                        self.seen[marker] = time.monotonic()
                        if marker == PROBE_END and self.answer:
                            os.write(self.master, self.answer)

    def data(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    def wait_for(self, predicate, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            data = self.data()
            if predicate(data):
                return data
            time.sleep(0.05)
        raise AssertionError(f"not within {seconds} s; last output: {self.data()[-400:]!r}")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def finish(self, seconds: float = 15) -> int:
        """Wait for the program to exit (killing it if it will not); its exit code."""
        try:
            code = self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait(5)
        self._reader.join(2)
        os.close(self.master)
        return code
