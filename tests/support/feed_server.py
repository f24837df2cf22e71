"""A real HTTP/1.1 server in the test process that serves feeds and misbehaves on purpose.

It runs its own asyncio loop on a background thread, so synchronous tests, async tests and
CLI subprocesses can all reach it. Every route is plain data (``Route``); the server records
every request it receives (``requests``), so tests can assert what the collector really sent.

Misbehaviour on offer: slow headers (``delay``), slow bodies (``drip``), endless bodies,
gzip bombs and gzip bodies (``gzip``), redirects and redirect loops, wrong charsets (any
``headers``/``body`` combination), 500s, 429s with Retry-After, 304s (``etag`` /
``last_modified`` make a route answer conditional requests), and response sequences
(``sequence``: a different answer per request).
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 307: "Temporary Redirect",
           308: "Permanent Redirect", 404: "Not Found", 410: "Gone", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
HEADER_LIMIT = 64 * 1024


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches exactly
    location: str | None = None  # for redirects
    delay: float = 0.0  # seconds before the status line
    drip: tuple[int, float] | None = None  # (bytes per chunk, seconds between chunks)
    endless: bool = False  # a body that never ends (chunk after chunk of `body`)
    gzip: bool = False  # gzip the body and say so
    raw_gzip: bytes | None = None  # send these bytes as a gzip body (e.g. a bomb)
    close_after_headers: bool = False  # drop the connection mid-response


@dataclass
class RecordedRequest:
    method: str
    path: str
    host: str
    headers: dict[str, str]
    at: float


class FeedServer:
    """``with FeedServer() as server: server.route("/feed", Route(body=...)); server.url("/feed")``"""

    def __init__(self, hosts: list[str] | None = None, latency: float = 0.0) -> None:
        self.hosts = hosts or ["127.0.0.1"]
        self.latency = latency
        self.port = 0
        self.routes: dict[str, Route | list[Route]] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._counters: dict[str, int] = {}
        self.bytes_sent = 0  # response bytes written (headers and bodies), for benchmarks
        self.active = 0  # responses being written right now
        self.max_active = 0  # the most responses ever in progress at once

    # --- configuration -----------------------------------------------------------------------
    def route(self, path: str, route: Route | list[Route]) -> str:
        with self._lock:
            self.routes[path] = route
            self._counters[path] = 0
        return self.url(path)

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.hosts[0]}:{self.port}{path}"

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> FeedServer:
        started = threading.Event()
        # Several hosts (127.0.0.x) share one port, so URLs differ only in the address.
        port = _free_port(self.hosts[0]) if len(self.hosts) > 1 else 0

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, host=self.hosts, port=port, backlog=1024, reuse_address=True)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            started.set()
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="feed-server", daemon=True)
        self._thread.start()
        if not started.wait(30):
            raise RuntimeError("feed server did not start")
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._loop is not None

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            # Cancel the connections still open (clients' keep-alive pools) and wait for them:
            # pending tasks destroyed later by the garbage collector log errors at random
            # moments, and one landing inside pytest's own traceback formatting crashed a run.
            handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        if self._thread:
            self._thread.join(10)

    # --- serving -----------------------------------------------------------------------------------
    def _pick(self, path: str) -> Route:
        with self._lock:
            entry = self.routes.get(path)
            count = self._counters.get(path, 0)
            self._counters[path] = count + 1
        if entry is None:
            return Route(status=404, body=b"not found", content_type="text/plain")
        if isinstance(entry, list):
            return entry[min(count, len(entry) - 1)]
        return entry

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if len(head) > HEADER_LIMIT:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                path = target.split("?", 1)[0] if target.startswith("/") else target
                full_path = target if target.startswith("/") else path
                host = writer.get_extra_info("sockname")[0]
                with self._lock:
                    self.requests.append(RecordedRequest(method, full_path, host, headers, time.monotonic()))
                with self._lock:
                    self.active += 1
                    self.max_active = max(self.max_active, self.active)
                try:
                    route = self._pick(full_path if full_path in self.routes else path)
                    keep_open = await self._respond(writer, route, headers)
                finally:
                    with self._lock:
                        self.active -= 1
                if not keep_open:
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            return
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - closing an already broken connection
                pass

    async def _respond(self, writer: asyncio.StreamWriter, route: Route, request: dict[str, str]) -> bool:
        if self.latency:
            await asyncio.sleep(self.latency)
        if route.delay:
            await asyncio.sleep(route.delay)
        status, body = route.status, route.body
        out_headers: dict[str, str] = {"Date": formatdate(usegmt=True)}
        if route.content_type:
            out_headers["Content-Type"] = route.content_type
        if route.etag:
            out_headers["ETag"] = route.etag
        if route.last_modified:
            out_headers["Last-Modified"] = route.last_modified
        if route.location:
            out_headers["Location"] = route.location
        out_headers.update(route.headers)
        if status == 200 and (
            (route.etag and request.get("if-none-match") == route.etag)
            or (route.last_modified and request.get("if-modified-since") == route.last_modified)
        ):
            status, body = 304, b""
        if route.raw_gzip is not None:
            body = route.raw_gzip
            out_headers["Content-Encoding"] = "gzip"
        elif route.gzip and body:
            body = gzip.compress(body)
            out_headers["Content-Encoding"] = "gzip"
        streaming = route.endless or route.drip is not None
        if streaming:
            out_headers["Transfer-Encoding"] = "chunked"
        elif status != 304:
            out_headers["Content-Length"] = str(len(body))
        head = f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in out_headers.items()) + "\r\n"
        writer.write(head.encode("latin-1"))
        with self._lock:
            self.bytes_sent += len(head) + (len(body) if status != 304 and not streaming else 0)
        await writer.drain()
        if route.close_after_headers:
            return False
        if route.endless:
            chunk = body or b"<item><title>again</title></item>"
            while True:
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
        if route.drip is not None:
            size, pause = route.drip
            for start in range(0, len(body), size):
                piece = body[start : start + size]
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
                await asyncio.sleep(pause)
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        if status != 304 and body:
            writer.write(body)
            await writer.drain()
        return True


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


# --- feed and page builders ------------------------------------------------------------------------
def rss_feed(items: list[dict], title: str = "Testfeed", language: str = "nl-nl", encoding: str = "utf-8") -> bytes:
    """RSS 2.0 bytes; each item dict may hold guid, title, link, description (HTML), pubDate."""
    from xml.sax.saxutils import escape

    parts = []
    for item in items:
        fields = []
        if "guid" in item:
            fields.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        for name in ("title", "link", "description", "pubDate"):
            if name in item:
                fields.append(f"<{name}>{escape(item[name])}</{name}>")
        parts.append("<item>" + "".join(fields) + "</item>")
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<language>{language}</language>{''.join(parts)}</channel></rss>"
    )
    return text.encode(encoding)


def article_page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>"
        "<nav><a href=\"/\">Home</a> | <a href=\"/nieuws\">Nieuws</a></nav>"
        "<article><h1>" + title + "</h1>" + body + "</article>"
        "<footer>© Testkrant — alle rechten voorbehouden</footer></body></html>"
    ).encode("utf-8")
