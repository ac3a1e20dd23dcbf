"""Project rules that code review would otherwise have to catch by eye."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The project's packages: they import each other at module top only.
PACKAGES = ("vidsort_tui", "pipeline", "api_compat")
#: An optional backend may be imported where it is chosen, in a try catching one of these.
OPTIONAL_IMPORT_FAILURES = {"ImportError", "ModuleNotFoundError", "OSError"}
#: Function-local imports of the project's own modules accepted by name, each with its reason.
ALLOWED_LOCAL_IMPORTS = {
    ("vidsort_tui/player/__init__.py", "vidsort_tui.player.opencv_backend"): (
        "the last-resort player: OpenCV's is loaded only when libmpv cannot be"
    ),
}


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def test_import_contracts_hold():
    """The layers of ARCHITECTURE.md, as import-linter contracts in pyproject.toml."""
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = subprocess.run(
        [_tool("ruff"), "check", "--output-format", "concise", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _catches_import_failure(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in OPTIONAL_IMPORT_FAILURES for k in kinds)


class _LocalImports(ast.NodeVisitor):
    """Imports of the project's modules inside a function body, unless in the body of a try
    that catches an import failure (an optional backend)."""

    def __init__(self, package: str) -> None:
        self.package = package  # for relative imports
        self.functions = 0
        self.guarded = 0
        self.found: list[tuple[int, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.functions += 1
        self.generic_visit(node)
        self.functions -= 1

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(_catches_import_failure(h) for h in node.handlers)
        self.guarded += guarded
        for statement in node.body:
            self.visit(statement)
        self.guarded -= guarded
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    visit_TryStar = visit_Try

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check(node.lineno, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self.package if node.level else (node.module or "")
        self._check(node.lineno, module)

    def _check(self, line: int, module: str) -> None:
        if self.functions and not self.guarded and module.split(".")[0] in PACKAGES:
            self.found.append((line, module))


def test_no_function_local_imports_of_project_modules():
    """They hide import cycles from Python and from lint-imports (ARCHITECTURE.md, "Layers").

    Exceptions: an optional backend imported in a try that catches its failure, and the
    CLI's modes, loaded with importlib (not an import statement) so each mode loads only
    what it needs.
    """
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            visitor = _LocalImports(".".join(path.relative_to(ROOT).parent.parts))
            visitor.visit(ast.parse(path.read_text(encoding="utf-8"), rel))
            found += [
                f"{rel}:{line}: {module}"
                for line, module in visitor.found
                if (rel, module) not in ALLOWED_LOCAL_IMPORTS
            ]
    assert not found, "function-local imports (move them to the module's top):\n" + "\n".join(found)
