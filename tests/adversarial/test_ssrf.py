"""SSRF through redirects and address tricks.

``allow_networks`` is narrowed to one loopback address (127.0.0.2/32), where the feed server
lives; a canary listens on another (127.0.0.3) and must receive no connection at all. Each
source is either a redirect from the allowed server to a trick address, or the trick address
itself; each must end in a refused fetch, never in a connection."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import storage
from storage.errors import InvalidInput
from storage.schema import FetchRun, Item
from tests.adversarial.canary import Canary
from tests.collector.conftest import add_source, run_collect
from tests.support.feed_server import FeedServer, Route, rss_feed

ALLOWED = "127.0.0.2"
CANARY = "127.0.0.3"


def trick_targets(port: int, redirect: bool = True) -> dict[str, tuple[str, str]]:
    """name -> (URL, the refusal we expect as fetch_runs.error_kind)."""
    blocked, invalid = "blocked_address", "invalid_url"
    return {
        "canary": (f"http://{CANARY}:{port}/", blocked),
        "loopback": (f"http://127.0.0.1:{port}/", blocked),
        "localhost": (f"http://localhost:{port}/", blocked),
        "ipv6-loopback": (f"http://[::1]:{port}/", blocked),
        "unspecified": (f"http://0.0.0.0:{port}/", blocked),
        "metadata": (f"http://169.254.169.254:{port}/latest/meta-data/", blocked),
        "shared-space": (f"http://100.64.0.1:{port}/", blocked),
        "mapped-ipv6": (f"http://[::ffff:127.0.0.3]:{port}/", blocked),
        "decimal": (f"http://2130706435:{port}/", blocked),
        # httpx itself refuses an octal Location header; as a source URL our own rule spells it out
        "octal": (f"http://0177.0.0.3:{port}/", "network_error" if redirect else blocked),
        "short": (f"http://127.3:{port}/", blocked),
        "hex": (f"http://0x7f000003:{port}/", blocked),
        "credentials": (f"http://admin:secret@{CANARY}:{port}/", invalid),
        "file": ("file:///etc/passwd", invalid),
        "gopher": (f"gopher://{CANARY}:{port}/_GET", invalid),
        "javascript": ("javascript:alert(1)", invalid),
    }


@pytest.fixture
def servers():
    with FeedServer(hosts=[ALLOWED]) as feeds, Canary(CANARY) as canary:
        yield feeds, canary


def _runs_by_source(db) -> dict[int, FetchRun]:
    with db.read_sessions() as session:
        return {run.source_id: run for run in session.scalars(select(FetchRun))}


def test_redirects_to_trick_addresses_are_refused_and_the_canary_hears_nothing(db, servers):
    feeds, canary = servers
    control = add_source(db, feeds.route("/control", Route(body=rss_feed([{"guid": "ok", "title": "Gewoon"}]))))
    expected = {}
    for name, (target, kind) in trick_targets(canary.port).items():
        path = f"/to-{name}"
        feeds.route(path, Route(status=302, location=target, content_type="text/plain"))
        expected[add_source(db, feeds.url(path))] = (name, kind)

    run_collect(db, allow_networks=[f"{ALLOWED}/32"])

    assert canary.connections == []
    runs = _runs_by_source(db)
    assert runs[control].status == "ok"
    got = {name: (runs[source_id].status, runs[source_id].error_kind) for source_id, (name, _) in expected.items()}
    assert got == {name: ("failed", kind) for name, kind in expected.values()}
    with db.read_sessions() as session:
        assert session.scalars(select(Item.title)).all() == ["Gewoon"]


def test_trick_addresses_as_the_source_itself_are_refused(db, servers):
    feeds, canary = servers
    expected = {}
    for name, (target, kind) in trick_targets(canary.port, redirect=False).items():
        if kind != "blocked_address":
            continue
        expected[add_source(db, target + f"?{name}")] = name

    run_collect(db, allow_networks=[f"{ALLOWED}/32"])

    assert canary.connections == []
    runs = _runs_by_source(db)
    assert {name: runs[i].error_kind for i, name in expected.items()} == dict.fromkeys(expected.values(), "blocked_address")


@pytest.mark.parametrize("url", [
    "http://admin:secret@127.0.0.3/", "file:///etc/passwd", "gopher://127.0.0.3/", "javascript:alert(1)",
    "http://exa\u202emple.org/", "ftp://example.org/feed",
])
def test_sources_with_credentials_or_other_schemes_are_refused_at_the_door(db, url):
    with pytest.raises(InvalidInput), storage.transaction(db.sessions) as session:
        from storage.repositories import sources as repo
        from storage.repositories.sources import SourceSpec

        repo.add_source(session, SourceSpec(url=url), "test")
