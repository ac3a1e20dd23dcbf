"""What each mode loads, seen from a fresh interpreter (in the style of Harlequin's
test_import_hygiene.py).

import-linter checks import statements, but the command line loads each mode by a string
(cli/entry.py MODES, importlib), which no contract sees: a mode could pull scikit-learn or
onnxruntime into the terminal app unseen. So each mode is loaded here the way the command
line loads it, in its own interpreter, and sys.modules is read afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: the training stack: only `--retrain` (and the jobs it starts) may load it
PIPELINE = {"pipeline", "sklearn", "onnxruntime", "onnx", "scipy", "av", "joblib", "torch"}
#: the HTTP stack and the terminal-app stack
SERVER = {"api_compat", "fastapi", "starlette", "uvicorn"}
TERMINAL = {"textual"}
#: all `--version` may load beside the standard library: the settings and the core's file
#: validation (pydantic; pydantic-settings and python-dotenv if the settings move onto them)
VERSION_ALLOWED = {
    "vidsort_tui", "pydantic", "pydantic_core", "pydantic_settings", "dotenv",
    "annotated_types", "typing_extensions", "typing_inspection",
}  # fmt: skip
VERSION_PACKAGES = {"vidsort_tui", "vidsort_tui.cli", "vidsort_tui.core", "vidsort_tui.graphics"}

REPORT = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def loaded(code: str, tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    data = tmp_path / "videos"
    data.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(tmp_path),  # no user config file
        "VIDSORT_DATA_DIR": str(data),
        "VIDSORT_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
    }
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def tops(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def load_mode(mode: str) -> str:
    return f"from vidsort_tui.cli.entry import _load_mode\n_load_mode({mode!r})"


@pytest.mark.parametrize(
    ("what", "code", "needs", "never"),
    [
        ("the terminal app", load_mode("tui"), TERMINAL, PIPELINE | SERVER),
        ("--serve", load_mode("serve"), {"uvicorn"}, PIPELINE | TERMINAL),
        (
            "a server worker",
            "import api_compat.server",
            {"api_compat", "fastapi"},
            PIPELINE | TERMINAL,
        ),
        ("--retrain", load_mode("retrain"), {"pipeline", "sklearn"}, SERVER | TERMINAL),
    ],
    ids=["tui", "serve", "worker", "retrain"],
)
def test_each_mode_loads_only_its_own_stack(tmp_path, what, code, needs, never):
    modules = tops(loaded(code, tmp_path))
    assert needs <= modules, f"{what} was not loaded at all"  # the check saw the mode
    assert not modules & never, f"{what} loads {sorted(modules & never)}"


def test_version_loads_almost_nothing(tmp_path):
    code = (
        "import contextlib, io\nfrom vidsort_tui.cli.entry import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['--version']) == 0"
    )
    modules = loaded(code, tmp_path)
    third_party = tops(modules) - set(sys.stdlib_module_names) - {"__main__"}
    third_party = {name for name in third_party if not name.startswith("_")}
    assert third_party <= VERSION_ALLOWED, sorted(third_party - VERSION_ALLOWED)
    ours = {".".join(name.split(".")[:2]) for name in modules if name.startswith("vidsort_tui")}
    assert ours <= VERSION_PACKAGES, sorted(ours - VERSION_PACKAGES)
