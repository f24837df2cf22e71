"""An httpx transport whose every TCP connection goes through the address guard.

httpx's default transport resolves and connects in one step inside httpcore. Here the network
backend is replaced: ``connect_tcp`` asks ``AddressGuard`` for vetted addresses and connects
to one of those IPs itself. httpcore still believes it talks to the host name, so the Host
header and the TLS server name (SNI, certificate check) stay right, while a DNS answer that
changes between check and connect (DNS rebinding) cannot reach an unvetted address.
"""

from __future__ import annotations

import typing

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._backends.auto import AutoBackend

from collector.guard import AddressGuard

SocketOption = typing.Any


class GuardedNetworkBackend(AsyncNetworkBackend):
    """Resolve through the guard, then connect to a vetted IP address."""

    def __init__(self, guard: AddressGuard, inner: AsyncNetworkBackend | None = None) -> None:
        self.guard = guard
        self.inner = inner or AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        addresses = await self.guard.resolve(host, port)  # raises BlockedAddress before any connect
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used by the collector")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` with the guarded backend; never uses proxies from the env."""

    def __init__(self, guard: AddressGuard, limits: httpx.Limits, inner_backend: AsyncNetworkBackend | None = None):
        super().__init__(limits=limits, trust_env=False, http1=True, http2=False, retries=0)
        # httpx builds its pool without a backend argument; rebuild it with ours, same options.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedNetworkBackend(guard, inner_backend),
        )
