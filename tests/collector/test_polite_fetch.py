"""The polite fetcher against a real local server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from httpcore._backends.auto import AutoBackend

from collector.errors import ErrorKind, FetchFailure
from collector.fetch import ConditionalGet, FetchResult, PoliteClient
from collector.guard import AddressGuard, ResolutionFailed, parse_networks
from collector.politeness import HostLimiter
from collector.settings import CollectorSettings
from tests.support.feed_server import FeedServer, Route

FEED = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def settings(**changes) -> CollectorSettings:
    base = dict(
        allow_networks=["127.0.0.0/8"], per_host_min_delay=0.0, retries=2, backoff_base=0.01, backoff_max=5,
        connect_timeout=2, read_timeout=2, total_timeout=5, contact="ops@gemeente.example",
    )
    return CollectorSettings(**{**base, **changes})


class SpyBackend(AutoBackend):
    """Counts the TCP connections really opened."""

    def __init__(self) -> None:
        super().__init__()
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, **kwargs):
        self.connects.append((host, port))
        return await super().connect_tcp(host, port, **kwargs)


class SleepRecorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def fetch(url: str, conditional=None, backend=None, resolver=None, sleep=None, **changes):
    s = settings(**changes)
    guard = AddressGuard(parse_networks(s.allow_networks), resolver) if resolver else None
    kwargs = {"sleep": sleep} if sleep else {}
    async with PoliteClient(s, guard=guard, inner_backend=backend, **kwargs) as client:
        return await client.fetch(url, conditional=conditional)


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


async def test_conditional_get_turns_into_304(server):
    url = server.route("/feed", Route(body=FEED, etag='"v1"', last_modified="Wed, 08 Jan 2020 06:06:21 GMT"))
    first = await fetch(url)
    assert isinstance(first, FetchResult) and first.status == 200 and first.body == FEED
    assert first.headers["etag"] == '"v1"'
    second = await fetch(url, ConditionalGet(first.headers["etag"], first.headers["last-modified"]))
    assert isinstance(second, FetchResult) and second.not_modified and second.body == b""
    sent = server.requests_to("/feed")[-1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Wed, 08 Jan 2020 06:06:21 GMT"


async def test_user_agent_names_waakhond_and_the_contact(server):
    await fetch(server.route("/feed", Route(body=FEED)))
    agent = server.requests_to("/feed")[0].headers["user-agent"]
    assert agent.startswith("Waakhond/") and "ops@gemeente.example" in agent


async def test_gzip_bodies_are_decoded(server):
    result = await fetch(server.route("/gz", Route(body=FEED * 10, gzip=True)))
    assert isinstance(result, FetchResult) and result.body == FEED * 10
    assert result.bytes_received < len(FEED * 10)


async def test_slow_headers_time_out(server):
    result = await fetch(server.route("/slow", Route(body=FEED, delay=3)), read_timeout=0.5, retries=0)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.TIMEOUT


async def test_a_body_that_drips_forever_hits_the_total_timeout(server):
    url = server.route("/drip", Route(body=FEED * 20, drip=(8, 0.1)))
    result = await fetch(url, read_timeout=1, total_timeout=1, retries=0)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.TIMEOUT
    assert "total timeout" in result.message


async def test_an_endless_body_is_cut_at_the_size_limit(server):
    result = await fetch(server.route("/endless", Route(endless=True)), max_response_bytes=200_000)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.TOO_LARGE


async def test_a_gzip_bomb_is_refused_after_decompression(server):
    bomb = gzip.compress(b" " * 30_000_000)
    result = await fetch(server.route("/bomb", Route(raw_gzip=bomb)), max_response_bytes=1_000_000)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.TOO_LARGE


async def test_a_declared_length_over_the_limit_is_refused_before_reading(server):
    result = await fetch(server.route("/big", Route(body=b"x" * 5000)), max_response_bytes=1000)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.TOO_LARGE and "Content-Length" in result.message


async def test_redirects_are_followed_and_loops_refused(server):
    server.route("/old", Route(status=301, location="/new"))
    server.route("/new", Route(body=FEED))
    result = await fetch(server.url("/old"))
    assert isinstance(result, FetchResult) and result.final_url == server.url("/new")

    server.route("/a", Route(status=302, location="/b"))
    server.route("/b", Route(status=302, location="/a"))
    loop = await fetch(server.url("/a"))
    assert isinstance(loop, FetchFailure) and loop.kind is ErrorKind.TOO_MANY_REDIRECTS

    for hop in range(5):
        server.route(f"/hop{hop}", Route(status=307, location=f"/hop{hop + 1}"))
    server.route("/hop5", Route(body=FEED))
    chain = await fetch(server.url("/hop0"), max_redirects=3)
    assert isinstance(chain, FetchFailure) and chain.kind is ErrorKind.TOO_MANY_REDIRECTS


async def test_5xx_is_retried_with_backoff_then_succeeds(server):
    sleep = SleepRecorder()
    url = server.route("/flaky", [Route(status=500), Route(status=503), Route(body=FEED)])
    result = await fetch(url, sleep=sleep, retries=2)
    assert isinstance(result, FetchResult) and result.attempts == 3
    assert len(sleep.waits) == 2 and len(server.requests_to("/flaky")) == 3


async def test_persistent_5xx_fails_after_the_retries_and_4xx_is_not_retried(server):
    sleep = SleepRecorder()
    failed = await fetch(server.route("/down", Route(status=500)), sleep=sleep, retries=2)
    assert isinstance(failed, FetchFailure) and failed.kind is ErrorKind.HTTP_ERROR
    assert failed.http_status == 500 and failed.attempts == 3
    missing = await fetch(server.route("/gone", Route(status=404)), sleep=sleep)
    assert isinstance(missing, FetchFailure) and missing.attempts == 1 and missing.http_status == 404


async def test_429_waits_at_least_retry_after(server):
    sleep = SleepRecorder()
    url = server.route("/busy", [Route(status=429, headers={"Retry-After": "3"}), Route(body=FEED)])
    result = await fetch(url, sleep=sleep)
    assert isinstance(result, FetchResult)
    assert sleep.waits and sleep.waits[0] >= 3


async def test_a_long_retry_after_is_not_waited_for_inline_but_reported(server):
    sleep = SleepRecorder()
    url = server.route("/later", Route(status=429, headers={"Retry-After": "3600"}))
    result = await fetch(url, sleep=sleep, backoff_max=60)
    assert isinstance(result, FetchFailure) and result.retry_after == 3600
    assert sleep.waits == [] and len(server.requests_to("/later")) == 1


async def test_refused_content_types(server):
    result = await fetch(server.route("/img", Route(body=b"\x89PNG", content_type="image/png")))
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.BAD_CONTENT_TYPE


async def test_robots_txt_is_respected_and_cached_per_origin(server):
    server.route("/robots.txt", Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    server.route("/private/feed", Route(body=FEED))
    server.route("/public/feed", Route(body=FEED))
    async with PoliteClient(settings()) as client:
        denied = await client.fetch(server.url("/private/feed"))
        allowed = await client.fetch(server.url("/public/feed"))
        again = await client.fetch(server.url("/public/feed"))
    assert isinstance(denied, FetchFailure) and denied.kind is ErrorKind.ROBOTS_DISALLOWED
    assert isinstance(allowed, FetchResult) and isinstance(again, FetchResult)
    assert server.requests_to("/private/feed") == []
    assert len(server.requests_to("/robots.txt")) == 1


async def test_robots_txt_rules_for_our_agent(server):
    server.route("/robots.txt", Route(body=b"User-agent: Waakhond\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                                      content_type="text/plain"))
    result = await fetch(server.route("/feed", Route(body=FEED)))
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.ROBOTS_DISALLOWED


async def test_robots_txt_server_error_means_do_not_fetch(server):
    server.route("/robots.txt", Route(status=503))
    result = await fetch(server.route("/feed", Route(body=FEED)))
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.ROBOTS_UNAVAILABLE
    assert server.requests_to("/feed") == []


async def test_a_dropped_connection_and_a_refused_port(server):
    dropped = await fetch(server.route("/drop", Route(body=FEED, close_after_headers=True)), retries=0)
    assert isinstance(dropped, FetchFailure) and dropped.kind is ErrorKind.NETWORK_ERROR
    import socket

    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = await fetch(f"http://127.0.0.1:{port}/feed", retries=0)
    assert isinstance(refused, FetchFailure) and refused.kind is ErrorKind.CONNECT_ERROR


async def test_one_request_at_a_time_per_host(server):
    url = server.route("/feed", Route(body=FEED, delay=0.2))
    async with PoliteClient(settings(per_host_concurrency=1)) as client:
        results = await asyncio.gather(*(client.fetch(url) for _ in range(4)))
    assert all(isinstance(r, FetchResult) for r in results)
    assert len(server.requests_to("/feed")) == 4 and server.max_active == 1
    server.max_active = 0
    async with PoliteClient(settings(per_host_concurrency=3)) as client:
        await asyncio.gather(*(client.fetch(url) for _ in range(6)))
    assert server.max_active == 3


async def test_the_host_limiter_spaces_request_starts():
    clock = [100.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    limiter = HostLimiter(per_host=2, min_delay=1.5, clock=lambda: clock[0], sleep=fake_sleep)
    for _ in range(3):
        async with limiter.slot("news.test"):
            clock[0] += 0.25  # the request itself
    async with limiter.slot("other.test"):  # another host does not wait
        pass
    assert waits == [1.25, 1.25]
    limiter.defer("news.test", 30)
    async with limiter.slot("NEWS.test"):
        pass
    assert waits[-1] == 30


# --- SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.xml",
                                 "http://[::ffff:10.0.0.1]/feed", "http://127.0.0.1:9/feed"])
async def test_ssrf_targets_are_refused_without_connecting(url):
    spy = SpyBackend()
    result = await fetch(url, backend=spy, allow_networks=[], retries=0, respect_robots=True)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.BLOCKED_ADDRESS
    assert spy.connects == []


async def test_a_host_name_that_resolves_to_metadata_is_refused_without_connecting():
    async def resolver(host, port):
        return {"metadata.attacker.test": ["169.254.169.254"], "intranet.attacker.test": ["10.0.0.1"]}[host]

    for host in ("metadata.attacker.test", "intranet.attacker.test"):
        spy = SpyBackend()
        result = await fetch(f"http://{host}/feed", backend=spy, resolver=resolver, retries=0)
        assert isinstance(result, FetchFailure) and result.kind is ErrorKind.BLOCKED_ADDRESS, host
        assert spy.connects == []


async def test_a_redirect_to_a_private_address_is_refused(server):
    url = server.route("/jump", Route(status=302, location="http://10.0.0.1/admin"))
    spy = SpyBackend()
    result = await fetch(url, backend=spy)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.BLOCKED_ADDRESS
    assert all(host.startswith("127.") for host, _port in spy.connects)


async def test_the_connection_goes_to_the_vetted_address_with_the_original_host_header(server):
    server.route("/feed", Route(body=FEED))

    async def resolver(host, port):
        if host != "news.example.test":
            raise ResolutionFailed(host)
        return ["127.0.0.1"]

    spy = SpyBackend()
    result = await fetch(f"http://news.example.test:{server.port}/feed", backend=spy, resolver=resolver)
    assert isinstance(result, FetchResult)
    assert spy.connects == [("127.0.0.1", server.port)] * len(spy.connects)
    assert server.requests_to("/feed")[0].headers["host"] == f"news.example.test:{server.port}"


async def test_unresolvable_hosts_are_dns_errors():
    async def resolver(host, port):
        raise ResolutionFailed(f"cannot resolve {host}")

    result = await fetch("http://nowhere.test/feed", resolver=resolver, retries=0)
    assert isinstance(result, FetchFailure) and result.kind is ErrorKind.DNS_ERROR


async def test_one_pool_per_origin_with_old_pools_closed():
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with FeedServer(hosts=hosts) as many:
        many.route("/feed", Route(body=FEED))
        async with PoliteClient(settings(global_concurrency=1, per_host_concurrency=1)) as client:
            pools = client._client._transport._pool  # the per-origin router (collector.transport)
            for host in hosts:
                assert isinstance(await client.fetch(many.url("/feed", host=host)), FetchResult)
                assert len(pools._pools) <= 2  # max_connections (1) x POOLS_PER_CONNECTION
            again = await client.fetch(many.url("/feed", host=hosts[-1]))
            assert isinstance(again, FetchResult)
        assert {r.host for r in many.requests} == set(hosts)
