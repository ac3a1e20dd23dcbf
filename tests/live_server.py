"""A real uvicorn on 127.0.0.1 serving a temporary library, in its own process group."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from vidsort_tui.core.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, settings: Settings | None, workers: int = 1, plain_uvicorn: bool = False,
                 cli_args: tuple[str, ...] = (), cwd: Path | None = None,
                 permissions_apply: bool = False) -> None:  # fmt: skip
        """``plain_uvicorn``: `uvicorn api_compat.server:app`, settings from VIDSORT_* only.
        ``settings`` None: no VIDSORT_* variables at all, as for `vidsort-tui --demo --serve`.
        ``permissions_apply``: without root's override of file permissions (setpriv drops
        CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so ``chmod 000`` stops the server as it
        would stop a user's; a no-op when the tests do not run as root."""
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIDSORT_")}
        env.update(settings.to_env() if settings else {})
        # A file, not a pipe: nobody reads the server's log while it runs, and a full pipe
        # would block uvicorn's access log and with it every request.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop())
        if plain_uvicorn:
            command = [sys.executable, "-m", "uvicorn", "api_compat.server:app"]
        else:
            command = [sys.executable, "-m", "vidsort_tui.cli", *cli_args, "--serve"]
        command += ["--port", str(self.port), "--workers", str(workers)]
        if permissions_apply and os.geteuid() == 0:
            caps = "-dac_override,-dac_read_search"
            command = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *command]
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60  # a loaded 2-core machine starts it slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/folders", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        log = self.output()
        self.stop()
        raise RuntimeError("server did not start:\n" + log)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        self.log.close()
