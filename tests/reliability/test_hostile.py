"""Hostile environments: read-only folder, no hard links, a full disk for artifacts."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess

import pytest

from tests.reliability.invariants import fingerprint
from vidsort_tui.core import moves
from vidsort_tui.core.errors import MoveFailed, RetrainUnavailable
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts
from vidsort_tui.services import job_status, jobs, retrain
from vidsort_tui.tui.app import VidsortApp


@contextlib.contextmanager
def immutable(path):
    """chattr +i: even root cannot add entries (permission bits do not stop root)."""
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode:
        pytest.skip("this filesystem does not support chattr +i")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@contextlib.contextmanager
def tiny_tmpfs(path, size="2m"):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


@contextlib.contextmanager
def read_only_copy(source, mount):
    """``source`` copied onto a tmpfs that is then remounted read-only (EROFS for root too)."""
    with tiny_tmpfs(mount, "16m"):
        shutil.copytree(source, mount / "art", ignore=shutil.ignore_patterns("features*"))
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "art"


def fill(path) -> None:
    with contextlib.suppress(OSError), open(path / "filler", "wb") as handle:
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()


async def test_read_only_folder_is_a_clear_error_in_core_and_tui(library_factory):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=2)
    library = Library(settings)
    name = library.unsorted()[0]
    before = fingerprint(settings.data_dir)
    with immutable(settings.data_dir / "sea"):
        with pytest.raises(MoveFailed, match="permission denied"):
            library.sort(name, "sea")
        assert fingerprint(settings.data_dir) == before
        app = VidsortApp(settings.with_changes(player={"mode": "none", "audio": False}))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("2")  # sea
            for _ in range(40):
                if any("permission denied" in n.message for n in app._notifications):
                    break
                await pilot.pause(0.05)
            assert any("permission denied" in n.message for n in app._notifications)
            await pilot.press("1")  # fire still works: the app keeps running
            for _ in range(40):
                if (settings.data_dir / "fire" / name).exists():
                    break
                await pilot.pause(0.05)
            assert (settings.data_dir / "fire" / name).exists()


def test_filesystem_without_hard_links(library_factory, tmp_path):
    """A real vfat mount where the kernel has it; the same fallback forced everywhere else."""
    image, mount = tmp_path / "vfat.img", tmp_path / "vfat"
    mount.mkdir()
    subprocess.run(["truncate", "-s", "8M", str(image)], check=True)
    made = (
        shutil.which("mkfs.vfat")
        and not subprocess.run(["mkfs.vfat", str(image)], capture_output=True).returncode
    )
    mounted = (
        made
        and not subprocess.run(
            ["mount", "-o", "loop", str(image), str(mount)], capture_output=True
        ).returncode
    )
    settings = library_factory({"sea": 1}, unsorted=2)
    try:
        if mounted:
            shutil.copytree(settings.data_dir, mount / "videos")
            settings = settings.with_changes(data_dir=mount / "videos")
        else:
            moves.FORCE_STRATEGY = (
                "check"  # what a vfat DATA_DIR would take: no links, no renameat2 flags
            )
        library = Library(settings)
        first, second = library.unsorted()
        library.sort(first, "sea")
        (settings.data_dir / "sea" / second).write_bytes(b"clash")
        with pytest.raises(Exception, match="already exists"):
            library.sort(second, "sea")
        assert (settings.data_dir / "sea" / second).read_bytes() == b"clash"
        assert [e.filename for e in undo_sorts(library).undone] == [first]
        assert (settings.data_dir / first).exists()
    finally:
        moves.FORCE_STRATEGY = None
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], check=True)


def test_full_disk_for_artifacts(library_factory, tmp_path):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=2)
    assert retrain.run(settings).ok
    model = (settings.artifacts_dir / "model.npz").read_bytes()
    full = tmp_path / "full"
    with tiny_tmpfs(full):
        shutil.copytree(  # the 18 MB embedder graph cannot fit on this 2 MB disk either
            settings.artifacts_dir,
            full / "art",
            ignore=shutil.ignore_patterns("features*", "embedder-*"),
        )
        settings = settings.with_changes(artifacts_dir=full / "art")
        library = Library(settings)
        name = library.unsorted()[0]
        fill(full)
        with pytest.raises(MoveFailed, match="left unsorted"):
            library.sort(name, "sea")
        assert (settings.data_dir / name).exists() and not (
            settings.data_dir / "sea" / name
        ).exists()
        result = retrain.run(settings)
        assert not result.ok and result.last_result.startswith("Failed at ")
        assert "No space left" in result.last_result or "disk is full" in result.last_result
        # The status says so too (written in place when nothing new fits), not "success".
        assert job_status.read_status(settings.artifacts_dir).last_result == result.last_result
        assert (settings.artifacts_dir / "model.npz").read_bytes() == model
        # A background retrain that cannot start says why, at once and in last_result.
        with pytest.raises(RetrainUnavailable, match="No space left on device"):
            jobs.start_background(settings)
        status = job_status.read_status(settings.artifacts_dir)
        assert not status.running and status.last_result.startswith("Failed at start: ")
        assert "No space left on device" in status.last_result
        (full / "filler").unlink()
        again = retrain.run(settings)  # space back: everything works again...
        assert again.ok
        # ...on the classical features, since the embedder's graph still does not fit, and
        # the retrain says so.
        assert again.metrics["feature_set"].startswith(
            "classical (cannot write the embedder graph: No space left"
        )


def test_a_journal_line_is_written_whole_or_the_sort_is_refused(library_factory, serve, tmp_path):
    """Full disk: the line's first bytes fit in the journal's last page, the rest do not."""
    settings = library_factory({"sea": 1}, unsorted=3)
    first, second, third = Library(settings).unsorted()
    full = tmp_path / "full"
    with tiny_tmpfs(full, "1m"):
        settings = settings.with_changes(artifacts_dir=full / "art")
        settings.artifacts_dir.mkdir()
        Library(settings).sort(first, "sea")
        journal = settings.artifacts_dir / "moves.jsonl"
        pad = {"id": "p" * 32, "op": "forget", "filename": "x.mp4", "src": "", "dst": "",
               "at": 1.0, "undoes": "none", "padding": ""}  # fmt: skip
        room = 4096 - 40 - len(journal.read_bytes()) - len(json.dumps(pad)) - 1
        journal.write_bytes(
            journal.read_bytes() + (json.dumps({**pad, "padding": "x" * room}) + "\n").encode()
        )
        before = journal.read_bytes()
        server = serve(settings)
        fill(full)
        with server.client() as client:
            refused = client.post("/api/sort", json={"filename": second, "folder": "sea"})
            assert refused.status_code == 503, refused.text
            assert "left unsorted" in refused.json()["detail"]
            assert journal.read_bytes() == before  # no half line
            assert (settings.data_dir / second).exists()
            assert not (settings.data_dir / "sea" / second).exists()
            (full / "filler").unlink()
            assert (
                client.post("/api/sort", json={"filename": third, "folder": "sea"}).status_code
                == 200
            )
            undone = [client.post("/api/undo").json()["undone"][0]["filename"] for _ in range(2)]
            assert undone == [third, first]  # the right ones, newest first


def test_read_only_artifacts_are_clear_answers_not_500s(library_factory, serve, tmp_path):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=2)
    library = Library(settings)
    first, second = library.unsorted()
    library.sort(first, "sea")
    with read_only_copy(settings.artifacts_dir, tmp_path / "ro") as art:
        settings = settings.with_changes(artifacts_dir=art)
        with serve(settings).client() as client:
            for path in ("/api/videos", "/api/folders", "/api/retrain/status",
                         "/api/retrain/progress", f"/videos/{second}"):  # fmt: skip
                assert client.get(path).status_code == 200, path
            undo = client.post("/api/undo")
            assert undo.status_code == 503 and "Read-only file system" in undo.json()["detail"]
            assert (settings.data_dir / "sea" / first).exists()
            started = client.post("/api/retrain")
            assert started.status_code == 503, started.text
            assert "cannot start a retrain" in started.json()["detail"]
            assert "Read-only file system" in started.json()["detail"]
            sort = client.post("/api/sort", json={"filename": second, "folder": "fire"})
            assert sort.status_code == 503 and "left unsorted" in sort.json()["detail"]
            assert (settings.data_dir / second).exists()
            assert client.get("/api/metrics").status_code == 404
