"""An attacker process flips names between a real file or folder and a symlink out of the data
folder while a real server serves, sorts and undoes: nothing outside may be served or moved,
nothing inside lost, no 5xx, no response cut short. Each race runs for RACE_SECONDS."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import random
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from vidsort_tui.core.config import Settings
from vidsort_tui.core.errors import LibraryError
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts

RACE_SECONDS = 10.0
CTX = mp.get_context("fork")


def _flip_file(target: Path, real: Path, outside: Path, stop, flips) -> None:
    """``target`` alternates between the real video and a link to ``outside``, atomically."""
    staging = target.with_name(".flip")
    while not stop.is_set():
        os.symlink(outside, staging)
        os.rename(staging, target)
        os.link(real, staging)
        os.rename(staging, target)
        flips.value += 1


def _flip_folder(folder: Path, outside: Path, real_for: float, stop, flips) -> None:
    """``folder`` is moved aside and replaced by a link to ``outside``, then put back (for up
    to ``real_for`` seconds)."""
    aside = folder.with_name(".aside")
    rng = random.Random(1)
    while not stop.is_set():
        os.rename(folder, aside)
        os.symlink(outside, folder)
        time.sleep(rng.uniform(0, 0.002))
        os.unlink(folder)
        os.rename(aside, folder)
        time.sleep(rng.uniform(0, real_for))
        flips.value += 1


def _sort_and_undo(settings: Settings, name: str, stop, flips) -> None:
    """Another program (the core, as the TUI uses it) sorting and undoing one video."""
    library = Library(settings)
    while not stop.is_set():
        try:
            library.sort(name, "sea")
            undo_sorts(library)
            flips.value += 1
        except LibraryError:
            pass


class Attack:
    """Attacker processes, running until the block ends."""

    def __init__(self, *targets) -> None:
        self.stop, self.counts = CTX.Event(), [CTX.Value("l", 0) for _ in targets]
        self.processes = [
            CTX.Process(target=func, args=(*args, self.stop, count), daemon=True)
            for (func, *args), count in zip(targets, self.counts, strict=True)
        ]

    def __enter__(self) -> Attack:
        for p in self.processes:
            p.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for p in self.processes:
            p.join(10)
        assert all(p.exitcode == 0 for p in self.processes), [p.exitcode for p in self.processes]

    def moves(self) -> list[int]:
        return [c.value for c in self.counts]


def _for_seconds(url: str, work, threads: int = 3) -> None:
    """``work(i, client)`` in ``threads`` threads, each with its own keep-alive client."""
    deadline = time.monotonic() + RACE_SECONDS
    errors: list[BaseException] = []

    def loop(i: int) -> None:
        try:
            with httpx.Client(base_url=url, timeout=30) as client:
                while time.monotonic() < deadline:
                    work(i, client)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test thread)
            errors.append(exc)

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]


def test_serving_never_escapes_never_500s_while_names_flip_and_videos_move(
    library_factory, serve, tmp_path
):
    settings = library_factory({"sea": 1}, unsorted=2)
    target, moving = Library(settings).unsorted()
    data = settings.data_dir
    real = (data / target).read_bytes()
    moving_bytes = (data / moving).read_bytes()
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"OUTSIDE-SECRET " * 4000)
    (data / ".stash").mkdir()
    os.link(data / target, data / ".stash" / target)
    server = serve(settings)
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def fetch(i: int, client: httpx.Client) -> None:
        name = target if i % 3 else moving
        ranged = {"Range": "bytes=100-"} if random.random() < 0.5 else {}
        try:
            response = client.get(f"/videos/{name}", headers=ranged)
        except httpx.HTTPError as exc:
            with lock:
                seen[f"cut {type(exc).__name__}"] += 1
            return
        body, code = response.content, response.status_code
        expected = real if name == target else moving_bytes
        if b"OUTSIDE-SECRET" in body:
            outcome = "ESCAPE"
        elif code >= 500:
            outcome = f"5xx {code} {body[:80]!r}"
        elif code in (200, 206):
            outcome = "ok" if body == expected[100 if ranged else 0 :] else "wrong bytes"
        else:
            outcome = f"{code}"
        with lock:
            seen[outcome] += 1

    attack = Attack(
        (_flip_file, data / target, data / ".stash" / target, secret),
        (_sort_and_undo, settings, moving),
    )
    with attack:
        _for_seconds(server.url, fetch)
    flips, moves = attack.moves()
    assert set(seen) <= {"ok", "404"}, seen  # no escape, no 5xx, no cut or wrong response
    assert seen["ok"] > 100 and flips > 100 and moves > 10, (seen, flips, moves)


def _small_videos(data: Path, count: int) -> dict[str, str]:
    digests = {}
    for i in range(count):
        name = f"{7300000000000000 + i}.mp4"
        body = os.urandom(512) + name.encode()
        (data / name).write_bytes(body)
        digests[name] = hashlib.sha256(body).hexdigest()
    return digests


def _where(data: Path, names) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in ("", "sea"):
        for name in os.listdir(data / folder) if folder else os.listdir(data):
            if name in names:
                found.setdefault(name, []).append(folder)
    return found


def test_sorting_never_escapes_and_journals_every_move_while_the_folder_flips(tmp_path, serve):
    data, outside = tmp_path / "videos", tmp_path / "outside"
    (data / "sea").mkdir(parents=True)
    outside.mkdir()
    digests = _small_videos(data, 3000)
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art"}, environ={})
    server = serve(settings)
    queue = sorted(digests)
    answers: dict[str, list[tuple[int, str]]] = {name: [] for name in digests}

    def sort(_i: int, client: httpx.Client) -> None:
        name = queue.pop() if queue else random.choice(sorted(digests))  # then: sorted ones
        response = client.post("/api/sort", json={"filename": name, "folder": "sea"})
        answers[name].append((response.status_code, response.json().get("detail", "")))

    with Attack((_flip_folder, data / "sea", outside, 0.002)) as attack:
        _for_seconds(server.url, sort)
    assert os.listdir(outside) == [], "videos were moved out of the data folder"
    where = _where(data, digests)
    assert all(len(places) == 1 for places in where.values()) and set(where) == set(digests)
    for name, (folder,) in where.items():
        path = data / folder / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digests[name]
    codes = Counter(code for replies in answers.values() for code, _ in replies)
    assert set(codes) <= {200, 400, 404}, codes
    journalled = Counter(e.filename for e in Library(settings).journal.pending_sorts())
    for name, replies in answers.items():
        moved = where[name] == ["sea"]
        assert moved == any(code == 200 for code, _ in replies), (name, replies)
        assert journalled[name] == moved, (name, replies)  # every move journalled, once
        for code, detail in replies:
            if code == 400:  # the folder's fault, and said so
                assert "'sea'" in detail and "video" not in detail, detail
            elif code == 404:  # only ever a video sorted before
                assert moved and "already sorted" in detail, (name, replies)
    assert codes[200] > 100 and attack.moves()[0] > 100, (codes, attack.moves())


def test_undo_never_takes_files_from_outside_while_the_folder_flips(tmp_path, serve):
    data, outside = tmp_path / "videos", tmp_path / "outside"
    (data / "sea").mkdir(parents=True)
    outside.mkdir()
    digests = _small_videos(data, 300)
    for name in digests:  # bait: same names outside, where a followed link would lead
        (outside / name).write_bytes(b"BAIT " + name.encode())
    settings = Settings.load({"data_dir": data, "artifacts_dir": tmp_path / "art"}, environ={})
    server = serve(settings)
    codes: Counter[tuple[str, int]] = Counter()

    def churn(i: int, client: httpx.Client) -> None:
        if i == 0:
            response = client.post("/api/undo", json={"count": random.randint(1, 3)})
            codes["undo", response.status_code] += 1
            return
        unsorted = [v["filename"] for v in client.get("/api/videos").json()["videos"]]
        if unsorted:
            response = client.post(
                "/api/sort", json={"filename": random.choice(unsorted), "folder": "sea"}
            )
            codes["sort", response.status_code] += 1

    # The folder stays real a little longer here, so that undos find sorts to undo (an undo
    # that finds it gone or a link drops that sort from the history).
    with Attack((_flip_folder, data / "sea", outside, 0.010)) as attack:
        _for_seconds(server.url, churn)
    assert sorted(os.listdir(outside)) == sorted(digests)
    assert all((outside / n).read_bytes() == b"BAIT " + n.encode() for n in digests)
    where = _where(data, digests)
    assert set(where) == set(digests) and all(len(p) == 1 for p in where.values()), where
    for name, (folder,) in where.items():
        path = data / folder / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digests[name]
    assert {code for _, code in codes} <= {200, 400, 404, 409}, codes
    assert codes["undo", 200] >= 20 and attack.moves()[0] > 100, (codes, attack.moves())
