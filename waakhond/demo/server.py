"""``DemoFeedServer``: the demo corpus on a real local HTTP server in a background thread.

Used by ``waakhond demo`` and by tests; it binds to 127.0.0.1 only and needs no internet.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .corpus import DemoCorpus, load_corpus
from .entries import expected_items, spike_item_guids
from .site import DemoSite

LOOPBACK = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WaakhondDemo/1.0"
    server: _DemoHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        owner = self.server.owner
        assert owner.site is not None
        response = owner.site.get(self.path, dict(self.headers.items()))
        body = response.body if send_body else b""
        # Counted before answering, so a client that has its answer also sees it counted.
        owner._count(urlsplit(self.path).path, response.status, len(body))
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # tests and the demo keep their output clean; counters record the traffic


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: DemoFeedServer


class DemoFeedServer:
    """Serves the demo feeds and pages; dates are ``anchor - age_hours``.

    >>> with DemoFeedServer() as server:
    ...     urls = server.feed_urls()
    """

    def __init__(
        self,
        corpus: DemoCorpus | None = None,
        *,
        anchor: datetime | None = None,
        port: int = 0,
        host: str = LOOPBACK,
    ) -> None:
        if anchor is not None and anchor.tzinfo is None:
            raise ValueError("anchor must be an aware datetime (UTC)")
        self.corpus = corpus or load_corpus()
        self.anchor = (anchor or datetime.now(UTC)).astimezone(UTC)
        self.host = host
        self.port = port
        self.requests: Counter[str] = Counter()
        self.bytes_sent = 0
        self.bytes_by_path: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._httpd: _DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.site: DemoSite | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("DemoFeedServer is not running; call start() first")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> DemoFeedServer:
        if self._httpd is not None:
            return self
        httpd = _DemoHTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self.site = DemoSite(self.corpus, self.anchor, self.base_url)
        self._thread = threading.Thread(target=httpd.serve_forever, name="waakhond-demo-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoFeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def feed_urls(self) -> dict[str, str]:
        """Source slug -> feed URL, fact-check publishers included."""
        return {s.slug: self.base_url + s.feed_path for s in self.corpus.sources}

    def url(self, path: str) -> str:
        return self.base_url + path

    def expected_items(self, *, include_factchecks: bool = True) -> list[tuple[str, str]]:
        return expected_items(self.corpus, include_factchecks=include_factchecks)

    def spike_item_guids(self, spike: str, *, include_copies: bool = True) -> list[str]:
        return spike_item_guids(spike, self.corpus, include_copies=include_copies)

    def source_specs(self) -> list[dict[str, object]]:
        """The demo sources as entries of a Waakhond TOML source list (``[[source]]`` tables)."""
        return [
            {
                "url": self.base_url + s.feed_path,
                "name": s.name,
                "kind": s.kind,
                "full_text": s.full_text,
                "language": s.language,
                "tags": ["demo", s.format],
                "note": f"Waakhond demo: {s.style} (fictional)",
            }
            for s in self.corpus.sources
        ]

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.bytes_by_path.clear()
            self.statuses.clear()
            self.bytes_sent = 0

    def _count(self, path: str, status: int, sent: int) -> None:
        with self._lock:
            self.requests[path] += 1
            self.bytes_by_path[path] += sent
            self.bytes_sent += sent
            self.statuses[(path, status)] += 1
