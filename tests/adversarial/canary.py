"""A canary: a TCP listener on a loopback address that the collector must never reach.

It records every connection (not only complete HTTP requests), and answers like a feed would,
so a request that does reach it would look like success to the collector."""

from __future__ import annotations

import socket
import threading

ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\nContent-Length: 120\r\n\r\n"
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>canary</title><item><guid>c</guid>'
    b"<title>geheim</title></item></channel></rss>"
)


class Canary:
    def __init__(self, host: str) -> None:
        self.host = host
        self.connections: list[tuple[str, int]] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="canary", daemon=True)

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(peer)
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(ANSWER)
                except OSError:
                    pass
