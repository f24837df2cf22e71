"""Real receivers inside the test process: an HTTP webhook receiver and an SMTP server with
STARTTLS and AUTH (aiosmtpd, a throwaway certificate from trustme)."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Received:
    path: str
    body: dict


@dataclass
class WebhookReceiver:
    """POSTs to ``/ok/...`` get 200, to ``/fail/...`` get 500; every body is kept."""

    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                receiver.received.append(Received(self.path, json.loads(self.rfile.read(length) or b"{}")))
                status = 500 if self.path.startswith("/fail") else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"kapot" if status == 500 else b"ok")

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def bodies(self, prefix: str = "") -> list[dict]:
        return [r.body for r in self.received if r.path.startswith(prefix)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS before AUTH, and one user."""

    directory: Path
    user: str = "waakhond"
    password: str = "geheim-wachtwoord"
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        import trustme
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        # aiosmtpd logs lost connections at INFO from its own thread, after a test's log
        # capture may be gone; the failures the tests provoke are asserted, not logged.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = self.directory / "test-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 (aiosmtpd's name)
                server.messages.append(message_from_bytes(envelope.original_content or envelope.content))
                return "250 OK"

        def authenticate(smtp, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == server.user \
                and auth_data.password.decode() == server.password
            if ok:
                server.logins.append(auth_data.login.decode())
            return AuthResult(success=ok)

        self.port = free_port()
        self._controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, tls_context=context, require_starttls=True,
            authenticator=authenticate, auth_require_tls=True, auth_required=True,
        )
        self._controller.start()

    def close(self) -> None:
        self._controller.stop()
