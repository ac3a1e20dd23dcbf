"""Project rules that code review would otherwise have to catch by eye."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE_DIRS = [ROOT / "vidsort_tui" / "core", ROOT / "pipeline"]
FORBIDDEN = {"textual", "fastapi", "starlette", "uvicorn"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_and_pipeline_import_neither_textual_nor_fastapi():
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN)
        for d in CORE_DIRS
        for p in d.rglob("*.py")
        if _imports(p) & FORBIDDEN
    }
    assert offenders == {}


def test_nothing_imports_the_interfaces_from_the_core():
    for d in CORE_DIRS:
        for path in d.rglob("*.py"):
            text = path.read_text()
            assert "vidsort_tui.tui" not in text and "api_compat" not in text, path


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run(
        [ruff, "check", "--output-format", "concise", str(ROOT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
