"""Fixtures for collector tests: a local feed server and helpers to run the collector on a db."""

from __future__ import annotations

import pytest

import storage
from collector import Collector, CollectorSettings
from collector.pages import PageProcessors
from storage.repositories import sources as repo
from storage.repositories.sources import SourceSpec
from tests.support.feed_server import FeedServer


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def collector_settings(**changes) -> CollectorSettings:
    base = dict(
        allow_networks=["127.0.0.0/8"], per_host_min_delay=0.0, retries=0, backoff_base=0.01,
        connect_timeout=3, read_timeout=3, total_timeout=10, contact="ops@gemeente.example",
    )
    return CollectorSettings(**{**base, **changes})


def add_source(db, url: str, **spec) -> int:
    with storage.transaction(db.sessions) as session:
        source, _ = repo.add_source(session, SourceSpec(url=url, **spec), "test")
        return source.id


def make_collector(db, processors: PageProcessors | None = None, **changes) -> Collector:
    return Collector(
        collector_settings(**changes), db.sessions, db.read_sessions, page_processors=processors or PageProcessors()
    )


def run_collect(db, source_ids=None, processors=None, **changes):
    collector = make_collector(db, processors, **changes)
    try:
        return collector.collect_once(source_ids)
    finally:
        collector.close()
