"""An httpx transport whose every TCP connection goes through the address guard, with one
small connection pool per origin.

Guarding: httpx's default transport resolves and connects in one step inside httpcore. Here
the network backend is replaced: ``connect_tcp`` asks ``AddressGuard`` for vetted addresses
and connects to one of those IPs itself. httpcore still believes it talks to the host name,
so the Host header and the TLS server name (SNI, certificate check) stay right, while a DNS
answer that changes between check and connect (DNS rebinding) cannot reach an unvetted address.

Pools: httpcore's pool scans all its connections for every request and every release, which
grows with the square of the hosts in flight (a 1,000-feed run spent most of its CPU in
``is_idle``). A collector talks to many hosts a little each, so each origin gets its own pool,
sized by the per-host limit; pools not used for a while are closed (least recently used).
"""

from __future__ import annotations

import typing
from collections import OrderedDict

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._backends.auto import AutoBackend

from collector.guard import AddressGuard

SocketOption = typing.Any
# Open origin pools kept at most, per allowed connection in flight; beyond it the least recently
# used pool is closed (its keep-alive connections would have been idle anyway).
POOLS_PER_CONNECTION = 2


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


class OriginPools:
    """What httpx's transport calls its pool: here a router to one pool per origin."""

    def __init__(self, make_pool: typing.Callable[[], httpcore.AsyncConnectionPool], max_pools: int) -> None:
        self._make_pool = make_pool
        self._max_pools = max_pools
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], httpcore.AsyncConnectionPool] = OrderedDict()

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        origin = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = self._make_pool()
            await self._close_least_recently_used()
        self._pools.move_to_end(origin)
        return await pool.handle_async_request(request)

    async def _close_least_recently_used(self) -> None:
        while len(self._pools) > self._max_pools:
            origin, pool = next(iter(self._pools.items()))
            if pool.connections and any(not c.is_idle() for c in pool.connections):
                return  # the oldest is still busy: keep it, try again on the next new origin
            del self._pools[origin]
            await pool.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()

    async def __aenter__(self) -> OriginPools:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` with the guarded backend and a pool per origin; never uses
    proxies from the environment."""

    def __init__(
        self,
        guard: AddressGuard,
        limits: httpx.Limits,
        per_origin_connections: int,
        inner_backend: AsyncNetworkBackend | None = None,
    ):
        super().__init__(limits=limits, trust_env=False, http1=True, http2=False, retries=0)
        ssl_context = httpx.create_ssl_context(trust_env=False)
        backend = GuardedNetworkBackend(guard, inner_backend)

        def make_pool() -> httpcore.AsyncConnectionPool:
            return httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=per_origin_connections,
                max_keepalive_connections=per_origin_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=False,
                retries=0,
                network_backend=backend,
            )

        # httpx calls only handle_async_request / aclose / __aenter__ / __aexit__ on its pool.
        max_pools = max(1, (limits.max_connections or 1) * POOLS_PER_CONNECTION)
        self._pool = OriginPools(make_pool, max_pools)  # type: ignore[assignment]
