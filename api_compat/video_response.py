"""A video streamed from the descriptor the library already opened, with HTTP Range.

The file is never opened again by name: a video sorted, undone or swapped for a link while
it is being served keeps streaming the bytes that were checked (a rename does not disturb an
open descriptor). HEAD answers the same headers without a body. Range is parsed strictly
(ASCII digits only: ``bytes=1_0-2_0`` is not a range); one range gives 206, several are
answered with the whole file (RFC 9110 lets a server ignore Range), a malformed one is 400,
one that starts past the end is 416.
"""

from __future__ import annotations

import hashlib
import os
import re
from email.utils import formatdate

import anyio
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

CHUNK = 256 * 1024
_SPEC = re.compile(r"(\d*)-(\d*)", re.ASCII)


class MalformedRange(ValueError):
    pass


def parse_range(header: str, size: int) -> list[tuple[int, int]] | None:
    """Byte ranges as [start, end) pairs, or None when the file is past every range start.

    MalformedRange for anything that is not ``bytes=`` followed by ASCII-digit specs.
    """
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        raise MalformedRange("Range must be bytes=FIRST-LAST")
    ranges: list[tuple[int, int]] = []
    for raw in specs.split(","):
        match = _SPEC.fullmatch(raw.strip(" \t"))
        if not match or match.group(1) == match.group(2) == "":
            raise MalformedRange(f"malformed range {raw.strip()[:40]!r}")
        first, last = match.group(1), match.group(2)
        if first and last and int(last) < int(first):
            raise MalformedRange(f"range {raw.strip()[:40]!r} ends before it starts")
        if first:
            start, end = int(first), min(int(last) + 1, size) if last else size
        else:
            start, end = max(size - int(last), 0), size
        if start < size and end > start:
            ranges.append((start, end))
    return ranges or None


class VideoResponse(Response):
    """Owns ``fd`` (closed when the response ends, sent or not)."""

    def __init__(self, fd: int, st: os.stat_result, media_type: str) -> None:
        self.fd, self.size = fd, st.st_size
        etag = hashlib.md5(f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}".encode(),
                           usedforsecurity=False).hexdigest()  # fmt: skip
        super().__init__(
            status_code=200,
            media_type=media_type,
            headers={
                "accept-ranges": "bytes",
                "last-modified": formatdate(st.st_mtime, usegmt=True),
                "etag": f'"{etag}"',
            },
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._respond(scope, receive, send)
        finally:
            os.close(self.fd)

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        start, end, status = 0, self.size, 200
        wanted = headers.get("range")
        if_range = headers.get("if-range")
        fresh = if_range is None or if_range in (
            self.headers["etag"],
            self.headers["last-modified"],
        )
        if wanted is not None and fresh:
            try:
                ranges = parse_range(wanted, self.size)
            except MalformedRange as exc:
                await JSONResponse({"detail": str(exc)}, 400)(scope, receive, send)
                return
            if ranges is None:
                missed = Response(
                    status_code=416, headers={"content-range": f"bytes */{self.size}"}
                )
                await missed(scope, receive, send)
                return
            if len(ranges) == 1:
                (start, end), status = ranges[0], 206
                self.headers["content-range"] = f"bytes {start}-{end - 1}/{self.size}"
        self.headers["content-length"] = str(end - start)
        await send({"type": "http.response.start", "status": status, "headers": self.raw_headers})
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        async with anyio.create_task_group() as group:

            async def stream() -> None:
                await self._stream(send, start, end)
                group.cancel_scope.cancel()

            group.start_soon(stream)
            while (await receive())["type"] != "http.disconnect":
                pass  # the client went away: stop reading the file
            group.cancel_scope.cancel()

    async def _stream(self, send: Send, start: int, end: int) -> None:
        position = start
        while position < end:
            chunk = await anyio.to_thread.run_sync(os.pread, self.fd, min(CHUNK, end - position),
                                                   position)  # fmt: skip
            if not chunk:  # truncated while we served it: end the response short, loudly
                raise OSError(f"file shrank to {position} bytes while being served")
            position += len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": position < end})
        if start == end:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
