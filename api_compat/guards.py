"""What every request passes before a route sees it: a server on 127.0.0.1 is still reachable
from any web page the user opens, so the browser's own rules are not enough.

- Host (DNS rebinding): only loopback names and addresses, the bound address (any IP literal
  when bound to 0.0.0.0 or ::) and names given with --allowed-host; else 400.
- State changes (POST, PUT, PATCH, DELETE): refused (403) when Sec-Fetch-Site says another
  site or Origin is not this server's own; a body must be application/json (415), and so must
  any request a browser sends (Origin or Sec-Fetch-* present) even where the body is
  optional -- a cross-site page cannot send that without a CORS preflight, which this server
  never grants. curl without a body (the documented ``curl -X POST .../api/retrain``) passes.
- Bodies: at most MAX_BODY bytes; 413 from the Content-Length alone, or as soon as a chunked
  body passes the limit, without reading the rest.
- Responses: never embeddable by other sites (CORP, frame-ancestors), no MIME sniffing.
"""

from __future__ import annotations

import ipaddress
import json
import os
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vidsort_tui.core.config import Settings

MAX_BODY = 16 * 1024
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_SECURITY_HEADERS = [
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]


def split_host(value: str) -> tuple[str, int | None] | None:
    """("name", port or None) from a Host header or an origin's netloc; None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1 :]
    else:
        host, sep, port = value.partition(":")
        rest = sep + port
    if rest and not (rest[0] == ":" and rest[1:].isascii() and rest[1:].isdigit()):
        return None
    host = host.rstrip(".")
    return (host, int(rest[1:]) if rest else None) if host else None


class HostPolicy:
    """The Host names this server answers to."""

    def __init__(self, settings: Settings) -> None:
        bound = settings.server.host.strip().lower().strip("[]")
        self.any_ip = bound in {"0.0.0.0", "::", ""}
        self.names = {"localhost", *settings.server.allowed_hosts} | (
            set() if self.any_ip else {bound}
        )

    def allows(self, host: str) -> bool:
        if host in self.names:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        mapped = getattr(ip, "ipv4_mapped", None)
        return ip.is_loopback or bool(mapped and mapped.is_loopback) or self.any_ip


def _error(status: int, detail: str) -> tuple[int, bytes]:
    return status, json.dumps({"detail": detail}).encode()


class RequestGuard:
    """Pure ASGI middleware (it must see the body before the app, and stream responses)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hosts = HostPolicy(settings)
        self.worker = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope["method"], headers)
        has_body = "transfer-encoding" in headers or headers.get("content-length", "0") != "0"
        if refusal is None and has_body:
            refusal, receive = await self._buffered(headers, receive)
        if refusal is not None:
            await self._send_error(send, *refusal)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [*_SECURITY_HEADERS, (b"x-vidsort-worker", self.worker)]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, method: str, headers: Headers) -> tuple[int, bytes] | None:
        host = headers.get("host")
        parsed = split_host(host) if host is not None else None
        if host is not None and (parsed is None or not self.hosts.allows(parsed[0])):
            name = parsed[0] if parsed else host
            return _error(
                400,
                f"Host {host[:100]!r} is not allowed: this server answers to localhost and "
                f"loopback addresses. To reach it as {name[:100]!r}, start it with "
                f"--allowed-host {name[:100]} (or VIDSORT_ALLOWED_HOSTS={name[:100]})",
            )
        if method not in UNSAFE_METHODS:
            return None
        site = headers.get("sec-fetch-site")
        if site is not None and site not in {"same-origin", "none"}:
            return _error(403, f"cross-site request refused (Sec-Fetch-Site: {site[:40]})")
        origin = headers.get("origin")
        if origin is not None and not self._same_origin(origin, parsed):
            return _error(403, f"cross-origin request refused (Origin: {origin[:100]})")
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        from_browser = origin is not None or any(k.startswith("sec-fetch-") for k in headers)
        has_body = "transfer-encoding" in headers or headers.get("content-length", "0") != "0"
        if (has_body or from_browser) and media_type != "application/json":
            return _error(415, "send a JSON body with Content-Type: application/json")
        return None

    def _same_origin(self, origin: str, host: tuple[str, int | None] | None) -> bool:
        """Origin names this very server (as the browser reached it): scheme://Host."""
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or parts.path or parts.query:
            return False
        theirs = split_host(parts.netloc)
        if theirs is None or "@" in parts.netloc or not self.hosts.allows(theirs[0]):
            return False
        if host is None:
            return True
        default = 443 if parts.scheme == "https" else 80
        return (theirs[0], theirs[1] or default) == (host[0], host[1] or default)

    async def _buffered(
        self, headers: Headers, receive: Receive
    ) -> tuple[tuple[int, bytes] | None, Receive]:
        """Read the whole body (at most MAX_BODY bytes) and hand it on; 413 past that."""
        too_big = _error(413, f"request body larger than {MAX_BODY} bytes")
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            return too_big, receive
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return (400, b'{"detail": "client disconnected"}'), receive
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:
                return too_big, receive
            more = message.get("more_body", False)
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return body

        return None, replay

    async def _send_error(self, send: Send, status: int, body: bytes) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),  # the unread rest of a body must not be parsed as a request
            *_SECURITY_HEADERS,
            (b"x-vidsort-worker", self.worker),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
