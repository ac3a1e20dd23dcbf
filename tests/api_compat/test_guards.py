"""What a web page can make a local server do: cross-site requests, DNS rebinding, body size,
values JSON cannot carry -- against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import time

import httpx
import pytest

from vidsort_tui.core.library import Library

EVIL = {"Origin": "http://evil.example", "Content-Type": "text/plain"}


@pytest.fixture
def served(library_factory, serve):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=3)
    server = serve(settings)
    with server.client() as client:
        yield server, client, settings


def test_cross_site_pages_cannot_undo_retrain_or_sort(served):
    server, client, settings = served
    names = Library(settings).unsorted()
    for name in names[:2]:
        assert client.post("/api/sort", json={"filename": name, "folder": "sea"}).status_code == 200
    own = {"Origin": server.url}
    refused = [
        ("/api/undo", {"headers": EVIL}, 403),  # a "simple" request any page can send
        ("/api/undo", {"headers": EVIL, "content": b'{"count": 2}'}, 403),
        ("/api/undo", {"headers": {"Origin": "null"}}, 403),  # sandboxed iframes, file://
        ("/api/undo", {"headers": {"Sec-Fetch-Site": "cross-site"}}, 403),
        ("/api/undo", {"headers": {"Sec-Fetch-Site": "same-site"}}, 403),
        ("/api/undo", {"headers": {"Origin": server.url + ".evil.example"}}, 403),
        ("/api/undo", {"headers": {"Origin": "http://localhost:1"}}, 403),  # another local port
        ("/api/retrain", {"headers": EVIL}, 403),
        ("/api/retrain", {"headers": {"Sec-Fetch-Site": "cross-site"}}, 403),
        (
            "/api/sort",
            {"headers": EVIL, "content": f'{{"filename":"{names[2]}","folder":"sea"}}'},
            403,
        ),
        (
            "/api/folders",
            {"headers": {**EVIL, "Content-Type": "application/json"}, "content": b'{"name": "x"}'},
            403,
        ),
        # Same origin, but not JSON: a browser sends these without asking first.
        ("/api/undo", {"headers": {**own, "Content-Type": "text/plain"}, "content": b"{}"}, 415),
        ("/api/undo", {"headers": own}, 415),  # a browser must send a JSON body
        ("/api/retrain", {"headers": {"Sec-Fetch-Site": "same-origin"}}, 415),
        ("/api/sort", {"headers": {"Content-Type": "text/plain"}, "content": b"{}"}, 415),
        (
            "/api/sort",
            {"headers": {"Content-Type": "application/x-www-form-urlencoded"}, "content": b"a=b"},
            415,
        ),
    ]
    for path, request, code in refused:
        response = client.post(path, **request)
        assert response.status_code == code, (path, request, response.text)
        assert response.json()["detail"], response.text
    assert all((settings.data_dir / "sea" / n).exists() for n in names[:2])  # nothing undone
    assert (settings.data_dir / names[2]).exists()  # nothing sorted
    assert not (settings.data_dir / "x").exists()
    assert client.get("/api/retrain/status").json()["running"] is False
    # The page itself (same origin, JSON body) and curl (no Origin, no body) still work.
    page = client.post("/api/undo", headers={**own, "Sec-Fetch-Site": "same-origin"}, json={})
    assert page.status_code == 200 and page.json()["undone"][0]["filename"] == names[1]
    assert client.post("/api/undo").status_code == 200  # curl -X POST .../api/undo
    assert all((settings.data_dir / n).exists() for n in names[:2])
    # Responses are not embeddable by other sites.
    headers = client.get("/api/videos").headers
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def _get(server, path: str, host: str) -> httpx.Response:
    return httpx.get(server.url + path, headers={"Host": host}, timeout=10)


def test_dns_rebinding_only_allowed_hosts_are_answered(library_factory, serve):
    settings = library_factory({"sea": 1}, unsorted=1)
    name = Library(settings).unsorted()[0]
    server = serve(settings)
    port = server.port
    for host in ("evil.example", f"evil.example:{port}", "localhost.evil.example", "192.168.1.5",
                 f"127.0.0.1.nip.io:{port}", "localhost:x", "[::1"):  # fmt: skip
        for path in ("/api/videos", f"/videos/{name}", "/"):
            response = _get(server, path, host)
            assert response.status_code == 400, (host, path)
            assert "--allowed-host" in response.json()["detail"]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", "127.0.0.2", "[::1]:80",
                 "LOCALHOST.", "[::ffff:127.0.0.1]"):  # fmt: skip
        assert _get(server, "/api/videos", host).status_code == 200, host
    # A LAN name given with --allowed-host; other names and addresses stay refused.
    lan = serve(settings, cli_args=("--allowed-host", "NAS.local", "--allowed-host", "tv.lan"))
    for host, code in (("nas.local:8000", 200), ("tv.lan", 200), ("evil.example", 400),
                       ("192.168.1.5", 400), ("localhost", 200)):  # fmt: skip
        assert _get(lan, "/api/folders", host).status_code == code, host
    # Plain uvicorn honours VIDSORT_ALLOWED_HOSTS; a 0.0.0.0 bind accepts IP literals.
    lan_settings = settings.with_changes(
        server={"host": "0.0.0.0", "allowed_hosts": ("nas.local",)}
    )
    plain = serve(lan_settings, plain_uvicorn=True)
    for host, code in (("nas.local", 200), ("192.168.1.5:8000", 200), ("[fe80::1]", 200),
                       ("evil.example", 400)):  # fmt: skip
        assert _get(plain, "/api/folders", host).status_code == code, host


def _raw_post(port: int, head: bytes, chunks, wait: float = 10.0) -> tuple[bytes, int]:
    """Send a request head, then body chunks until the server answers; (answer, bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        deadline = time.monotonic() + wait
        for chunk in chunks:
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(65536)
            if answer or time.monotonic() > deadline:
                break
            try:
                sock.sendall(chunk)
                sent += len(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(wait)
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except (TimeoutError, ConnectionResetError):
            pass
    return answer, sent


def test_request_bodies_are_limited_before_they_are_read(served):
    server, client, settings = served
    # 50 MB announced, 1 KB sent: the answer comes from the Content-Length alone.
    head = (f"POST /api/sort HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n").encode()  # fmt: skip
    started = time.monotonic()
    answer, _ = _raw_post(server.port, head, [b" " * 1024], wait=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
    # Chunked (no length): refused once past the limit, long before 50 MB are sent.
    head = (f"POST /api/folders HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()  # fmt: skip
    piece = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    answer, sent = _raw_post(server.port, head, (piece for _ in range(3200)), wait=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 5_000_000
    # A body just under the limit is read and validated as usual.
    big = {"name": "x" * 15_000}
    assert client.post("/api/folders", json=big).status_code == 400  # too long a name
    assert client.post("/api/folders", json={"name": "x" * 20_000}).status_code == 413
    assert client.get("/api/folders").status_code == 200  # the server is fine afterwards


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/sort", b'{"filename": NaN, "folder": "sea"}'),
        ("/api/sort", b'{"filename": "a.mp4", "folder": Infinity}'),
        ("/api/sort", b'{"filename": ["\\udcff"], "folder": -Infinity}'),
        ("/api/folders", b'{"name": NaN}'),
        ("/api/folders", b'{"name": {"\\ud800": 1e999}}'),
        ("/api/undo", b'{"count": NaN}'),
        ("/api/undo", b'{"count": Infinity, "skip_blocked": NaN}'),
    ],
)
def test_values_json_cannot_carry_are_a_422_not_a_500(served, path, body):
    _server, client, _settings = served
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], list)
