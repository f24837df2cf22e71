"""A local webhook receiver for the demo: alerts the service sends arrive here, are printed, and
are appended to a JSON-lines file, so a new user sees an alert arrive without any outside service."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: A webhook body larger than this is refused (alerts are a few kilobytes).
MAX_BODY_BYTES = 1_000_000


class WebhookReceiver:
    """``POST /alerts`` on 127.0.0.1: each JSON body is kept, written to ``log_path`` and handed
    to ``on_alert``."""

    def __init__(self, log_path: Path, port: int = 0, on_alert: Callable[[dict[str, Any]], None] | None = None):
        self.log_path = log_path
        self.on_alert = on_alert
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                if self.path != "/alerts" or length > MAX_BODY_BYTES:
                    self.send_error(404 if self.path != "/alerts" else 413)
                    return
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self.send_error(400, "body is not JSON")
                    return
                receiver._keep(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-webhook", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/alerts"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever: never call it unstarted
            self._server.shutdown()
        self._server.server_close()

    def _keep(self, body: dict[str, Any]) -> None:
        record = {"received_at": datetime.now(UTC).isoformat(timespec="seconds"), "alert": body}
        with self._lock:
            self.received.append(body)
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self.on_alert is not None:
            self.on_alert(body)
