"""Hostile names on every output path of the command line: `--retrain`'s progress, summary,
skipped list and errors, `--version` (with a terminal that answers with control characters)
and `--demo`'s messages. Nothing is read as Rich markup or emoji codes, nothing reaches the
terminal raw, and a successful retrain exits 0 whatever its files are called.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from tests.e2e.pty_terminal import PtyTerminal
from vidsort_tui.cli import demo as demo_cli
from vidsort_tui.core.config import Settings
from vidsort_tui.demo import library as demo_library
from vidsort_tui.demo.clips import ClipSpec

#: what a name may carry into a terminal: C0 (ESC, BEL, CR, BS), DEL, C1 (CSI, OSC, ST)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BROKEN = b"this is not a video"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VIDSORT_")}
    environ.update({"VIDSORT_EMBEDDER": "off", "COLUMNS": "400", **(env or {})})
    return subprocess.run([sys.executable, "-m", "vidsort_tui.cli", *args], capture_output=True,
                          text=True, errors="surrogateescape", timeout=600, env=environ)  # fmt: skip


def test_retrain_prints_every_name_as_it_is_and_never_raw(library_factory):
    settings = library_factory({"sea": 2, "fire": 2, "a[": 2}, unsorted=2)
    data = settings.data_dir
    (data / "a[" / "]c.mp4").write_bytes(BROKEN)  # "a[/]c.mp4" closes a tag that is not open
    (data / "clip [HD] [red]x.mp4").write_bytes(BROKEN)  # "[red]" would vanish, colouring x
    (data / ":smile: [bold]y.mp4").write_bytes(BROKEN)  # an emoji code
    (data / "\u009d2;title\u009c.mp4").write_bytes(BROKEN)  # OSC 2: sets the window title
    (data / "\u009b31mred").mkdir()  # a folder whose name is a CSI
    (data / "lonely [").mkdir()  # a category with too few videos: "not learned"
    shutil.copyfile(next((data / "sea").iterdir()), data / "lonely [" / "7999999999999999.mp4")
    artifacts = settings.artifacts_dir.parent / "art \u009d2;t\u009c"  # named in warnings
    artifacts.mkdir()
    (artifacts / "retrain_status.json").write_text("[")  # a warning (logging) names its path
    result = _run("--retrain", "--data", str(data), "--artifacts", str(artifacts))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out and "MarkupError" not in out
    assert not RAW.findall(out), RAW.findall(out)
    lines = {line.strip() for line in result.stdout.splitlines()}
    assert any(line.startswith("skipped a[/]c.mp4: ") for line in lines), lines
    assert any(line.startswith("skipped clip [HD] [red]x.mp4: ") for line in lines), lines
    assert any(line.startswith("skipped :smile: [bold]y.mp4: ") for line in lines), lines
    assert (
        "skipped \\x9d2;title\\x9c.mp4: not read: it is a file whose name contains a "
        "control character (rename it to sort it)" in lines
    ), lines
    assert any(line.startswith("skipped \\x9b31mred/: ") for line in lines), lines
    assert any(line.startswith("not learned: folder 'lonely [': ") for line in lines), lines
    assert any(line.startswith("Done: 9 videos, 5 skipped") for line in lines), lines
    assert "Extracting features" in result.stdout  # the progress bar, with its label
    assert "art \\x9d2;t\\x9c/retrain_status.json, which is not a retrain status" in result.stderr


def test_errors_name_paths_escaped(tmp_path):
    missing = tmp_path / "gone \u009d2;t\u009c [red]x"
    for mode in ([], ["--retrain"], ["--serve"]):
        result = _run(*mode, "--data", str(missing), "--artifacts", str(tmp_path / "a"))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and not RAW.findall(result.stderr)
        assert "gone \\x9d2;t\\x9c [red]x does not exist" in result.stderr
    bad = _run("--data", str(tmp_path), env={"VIDSORT_PORT": "\u009d2;t\u009c"})
    assert bad.returncode == 2 and not RAW.findall(bad.stderr) and "VIDSORT_PORT" in bad.stderr


def test_version_escapes_what_the_terminal_says_it_is():
    hostile = (
        b"\x1bP>|kitty\x07\x0e\x08 evil(0.26.5)\x1b\\\x1b_Gi=31;OK\x1b\\"
        b"\x1b[6;20;10t\x1b[?62;c"
    )  # XTVERSION with a bell, shift-out (another character set) and a backspace
    term = PtyTerminal([sys.executable, "-m", "vidsort_tui.cli", "--version"], hostile)
    assert term.finish() == 0
    written = term.data().decode("utf-8", "replace")
    said = written[written.index("vidsort-tui ") :].replace("\r\n", "\n")  # after the probe
    assert "in kitty\\x07\\x0e\\x08 evil(0.26.5)\n" in said, said
    assert not RAW.findall(said), RAW.findall(said)


def test_demo_messages_name_the_folder_escaped(tmp_path, monkeypatch, capsys, clip_factory):
    small = [(f"{scene}/{i}.mp4", ClipSpec(scene, 1.0, i, size=(96, 160))) for scene in
             ("sea", "fire") for i in range(2)] + [("9.mp4", ClipSpec("sea", 1.0, 9,
                                                                     size=(96, 160)))]  # fmt: skip
    monkeypatch.setattr(demo_library, "demo_plan", lambda: small)
    monkeypatch.setattr(demo_library, "DEMO_CATEGORIES", ("sea", "fire"))
    data = tmp_path / "demo \u009d2;t\u009c [red]" / "videos"
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art",
                              "model": {"jobs": 1, "embedder": "off"}}, environ={})  # fmt: skip
    demo_cli.prepare(settings, train=True)
    out = capsys.readouterr().out
    assert not RAW.findall(out.replace("\r", "")), RAW.findall(out)
    assert f"Generating the demo library in {tmp_path}/demo \\x9d2;t\\x9c [red]/videos" in out
    assert "Training a first model on it" in out and "  success" in out.splitlines()
