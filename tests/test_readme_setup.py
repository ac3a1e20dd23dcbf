"""README's set-up: `make demo` installs the app's runtime set, `make test` the development set
(and adds it after a `make demo`), and the app installs as a tool from its wheel.

The Makefile's plans are read with `make -n` against a scratch venv path (running them
installs for minutes; CI runs `make test` for real). The wheel is built from this checkout as
`pipx install .` would build it, installed into a fresh venv that sees only the runtime
dependencies (linked from the environment running the tests, so nothing is downloaded), and
run from there, away from the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
DEV_ONLY = {"pytest", "playwright", "mypy", "schemathesis", "hypothesis", "ruff", "dask"}
pytestmark = pytest.mark.timeout(600)


def make_plan(target: str, venv_dir: Path) -> str:
    done = subprocess.run(["make", "-n", target, f"VENV={venv_dir}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def installs(plan: str) -> list[str]:
    """What each `pip install -e` in the plan installs."""
    return [line.split("pip install -e ")[1].split("'")[1] for line in plan.splitlines()
            if "pip install -e " in line]  # fmt: skip


def test_make_demo_installs_the_runtime_set_and_make_test_adds_the_dev_set(tmp_path):
    fresh = tmp_path / "venv"
    assert installs(make_plan("demo", fresh)) == ["."]
    assert "install-system-packages.sh run" in make_plan("demo", fresh)
    assert installs(make_plan("test", fresh)) == [".[dev]"]
    assert "install-system-packages.sh test" in make_plan("test", fresh)
    # After `make demo` (its stamp newer than pyproject.toml): `make test` adds the dev set.
    fresh.mkdir()
    (fresh / ".installed-run").touch()
    assert installs(make_plan("demo", fresh)) == []
    assert installs(make_plan("test", fresh)) == [".[dev]"]
    # After `make test`, `make demo` installs nothing more.
    (fresh / ".installed-dev").touch()
    assert installs(make_plan("demo", fresh)) == installs(make_plan("test", fresh)) == []


def runtime_closure(requires: list[str]) -> set[str]:
    """The distributions these requirements need at run time (no extras), as installed here."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requires]
    while todo:
        requirement = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = canonicalize_name(requirement.name)
        if key in seen:
            continue
        seen.add(key)
        todo += [Requirement(r) for r in metadata.requires(requirement.name) or []]
    return seen


def link_distributions(names: set[str], site_packages: Path) -> None:
    """Make these installed distributions visible in another venv, by symlinks."""
    for dist in metadata.distributions():
        if canonicalize_name(dist.metadata["Name"]) not in names:
            continue
        base = Path(str(dist.locate_file("")))
        for top in {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            target = site_packages / top
            if (base / top).exists() and not target.exists():
                target.symlink_to(base / top)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("vidsort_tui-*.whl")
    return path


def requirements(wheel: Path) -> list[str]:
    """The wheel's Requires-Dist lines."""
    with zipfile.ZipFile(wheel) as archive:
        (meta,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(meta).decode().splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Requires-Dist:")]


def test_the_wheel_carries_the_page_and_the_stylesheet_and_only_runtime_requirements(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    requires = requirements(wheel)
    assert "vidsort_tui/tui/app.tcss" in names
    assert {"api_compat/static/index.html"} <= names
    unconditional = {canonicalize_name(Requirement(r).name) for r in requires
                     if not Requirement(r).marker}  # fmt: skip
    assert unconditional and not unconditional & DEV_ONLY


def test_the_wheel_installs_and_runs_with_the_runtime_set_alone(wheel, tmp_path):
    """`pipx install .`, in effect: a venv of its own, the wheel and its runtime dependencies."""
    tool = tmp_path / "tool"
    venv.create(tool, with_pip=False, symlinks=True)
    (site_packages,) = tool.glob("lib/python3*/site-packages")
    needed = runtime_closure(requirements(wheel))
    assert not needed & DEV_ONLY
    link_distributions(needed | {"pip"}, site_packages)
    python = tool / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(HOME=str(tmp_path))
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index",
                              "--quiet", str(wheel)], env=env, capture_output=True, text=True,
                             timeout=300)  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run([str(python), "-m", "pip", "check"], env=env, capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert check.returncode == 0, check.stdout  # every runtime requirement is met, no more

    version = subprocess.run([str(tool / "bin" / "vidsort-tui"), "--version"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.returncode == 0 and version.stdout.startswith("vidsort-tui "), version.stderr
    # Every interface loads from the installed wheel, stylesheet and page included.
    probe = (
        "import api_compat.server, pipeline.model.train, vidsort_tui.services.retrain\n"
        "from importlib.resources import files\n"
        "from vidsort_tui.tui.app import VidsortApp\n"
        "assert VidsortApp.CSS_PATH.is_file(), VidsortApp.CSS_PATH\n"
        "page = files('api_compat') / 'static' / 'index.html'\n"
        "assert page.is_file()\n"
        "print(VidsortApp.CSS_PATH, page)\n"
    )
    loaded = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert all(p.startswith(str(site_packages)) for p in loaded.stdout.split())
