"""Every shell command in README.md runs as written, on a fresh clone after `make demo`.

Each ```sh block follows a marker that says how it is checked:

    <!-- readme-test: run -->               each line runs to its end and exits 0
    <!-- readme-test: serve -->             each line starts a server, which must answer the
                                            page and the API (as the host its comment names)
    <!-- readme-test: not run: REASON -->   shown as a skipped test, with the reason

A block without a marker fails the first test, so no command reaches the README untested by
accident. The clone is a temporary folder holding `.venv` (the environment running these
tests) and what `make demo` leaves there: the demo library, trained. Servers get a free port
through VIDSORT_PORT / UVICORN_PORT: the commands name none, and 8000 would be fought over by
parallel runs. HOME is empty (no user configuration), and no VIDSORT_* variable is set.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import httpx
import pytest

from tests.live_server import free_port
from vidsort_tui.core import artifacts

pytestmark = pytest.mark.timeout(1500)  # the first test pays for generating the demo library

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(?:<!-- readme-test: (?P<how>[^\n]*?) -->\n)?```sh\n(?P<body>.*?)^```",
                   re.S | re.M)  # fmt: skip
HOSTED = re.compile(r"#\s*http://([\w.-]+):8000")  # the address a serve line's comment names
VENV_BIN = Path(sys.prefix) / "bin"


@dataclass(frozen=True)
class Command:
    line: str
    how: str  # "run", "serve", "not run: why", or "" (unmarked)

    def __str__(self) -> str:
        return self.line.split("#")[0].strip()


def readme_commands() -> list[Command]:
    commands = []
    for block in BLOCK.finditer(README.read_text()):
        for line in block["body"].replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(Command(line.strip(), (block["how"] or "").strip()))
    return commands


COMMANDS = readme_commands()


def test_every_shell_block_says_how_it_is_checked():
    text = README.read_text()
    assert len(BLOCK.findall(text)) == text.count("```sh")
    unmarked = [c.line for c in COMMANDS if not re.fullmatch(r"run|serve|not run: .+", c.how)]
    assert not unmarked, f"README commands without a readme-test marker: {unmarked}"
    assert {c.how for c in COMMANDS} >= {"run", "serve"}


def test_every_image_readme_shows_is_a_screenshot_in_the_repository():
    """Taken by scripts/readme_screenshots.py; a renamed or missing one shows as a broken image."""
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", README.read_text())
    assert images, "README shows no screenshot"
    for image in images:
        path = README.parent / image
        assert path.is_file(), f"README shows {image}, which is not in the repository"
        picture = cv2.imread(str(path))
        assert picture is not None and picture.shape[1] >= 1000, f"{image} is not a screenshot"


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A stand-in for a fresh clone after `make demo`: .venv, the demo library, a model."""
    if not (VENV_BIN / "vidsort-tui").exists():
        pytest.skip(f"the tests do not run from a venv with vidsort-tui installed ({sys.prefix})")
    root = tmp_path_factory.mktemp("clone")
    (root / ".venv").symlink_to(sys.prefix)
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDSORT_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    # What `make demo` does before it opens the app: generate the library, train a model.
    made = subprocess.run([".venv/bin/vidsort-tui", "--demo", "--retrain"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1200)  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert (root / "artifacts" / "demo" / artifacts.MODEL).exists()
    return root, env


def marked(how: str) -> list[pytest.param]:
    params = []
    for command in COMMANDS:
        if command.how == how or (how == "not run" and command.how.startswith("not run:")):
            params.append(pytest.param(command, id=str(command)))
    return params


@pytest.mark.parametrize("command", marked("run"))
def test_readme_command_runs(command: Command, clone):
    root, env = clone
    done = subprocess.run(["sh", "-c", command.line], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("command", marked("serve"))
def test_readme_server_answers(command: Command, clone):
    root, env = clone
    port = free_port()
    env = {**env, "VIDSORT_PORT": str(port), "UVICORN_PORT": str(port)}
    named = HOSTED.search(command.line)
    headers = {"Host": f"{named[1]}:{port}"} if named else {}
    unsorted = len(list((root / "data" / "demo" / "videos").glob("*.mp4")))
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(["sh", "-c", command.line], cwd=root, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            page = wait_for_page(f"http://127.0.0.1:{port}", headers, server)
            assert page is not None, output(log)
            assert page.status_code == 200 and "<html" in page.text.lower()
            videos = httpx.get(f"http://127.0.0.1:{port}/api/videos", headers=headers, timeout=10)
            assert videos.status_code == 200 and videos.json()["total"] == unsorted > 0
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(15)


def wait_for_page(url: str, headers: dict[str, str], server: subprocess.Popen,
                  seconds: float = 60) -> httpx.Response | None:  # fmt: skip
    """The page once the server answers; None if it exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return httpx.get(url + "/", headers=headers, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
    return None


def output(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


@pytest.mark.parametrize("command", marked("not run"))
def test_readme_command_not_run(command: Command):
    pytest.skip(command.how)
