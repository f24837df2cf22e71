"""Helpers of the scale-out tests: one environment for every process (workers, schedulers and
the embedded run in the test process), the local feeds, real subprocesses, and a snapshot of
the results to compare between the two modes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

import storage
from classifier.encoding.encoder import Encoder
from storage.schema import Classification, FetchRun, Item, ModelVersion, Source
from tests.classifier.pipeline_support import NEGATIVE, POSITIVE, write_tiny_version
from tests.support.feed_server import FeedServer, Route, rss_feed
from waakhond.settings import Settings

WAIT_SECONDS = 90
POLL_SECONDS = 0.1
FEEDS = 3
ITEMS_PER_FEED = 8
#: Scores may differ in the last float bits when items share a padded batch with others.
SCORE_TOLERANCE = 1e-4


def scale_env(tmp_path: Path, database_url: str, redis_url: str, tiny_folder: Path, **extra: str) -> dict[str, str]:
    """WAAKHOND_* variables every process of one test reads: the same settings everywhere."""
    env = {
        "WAAKHOND_DATABASE_URL": database_url,
        "WAAKHOND_BROKER_URL": redis_url,
        "WAAKHOND_DATA_DIR": str(tmp_path / "data"),
        "WAAKHOND_MODEL_DIR": str(tmp_path / "models"),
        "WAAKHOND_LOG_LEVEL": "INFO",
        "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(tiny_folder),
        "WAAKHOND_CLASSIFIER__THREADS": "1",
        "WAAKHOND_CLASSIFIER__BATCH_SIZE": "4",
        "WAAKHOND_CLASSIFIER__MAX_TOKENS": "32",
        "WAAKHOND_CLASSIFIER__WINDOW_STRIDE_TOKENS": "16",
        "WAAKHOND_CLASSIFIER__ITEMS_PER_BATCH": "3",
        "WAAKHOND_COLLECTOR__ALLOW_NETWORKS": json.dumps(["127.0.0.0/8"]),
        "WAAKHOND_COLLECTOR__PER_HOST_MIN_DELAY": "0",
        "WAAKHOND_COLLECTOR__RETRIES": "0",
        "WAAKHOND_COLLECTOR__RESPECT_ROBOTS": "false",
        "WAAKHOND_COLLECTOR__ADAPTIVE_POLLING": "false",
        "WAAKHOND_COLLECTOR__MIN_INTERVAL_SECONDS": "1",
        "WAAKHOND_COLLECTOR__TICK_SECONDS": "0.5",
        "WAAKHOND_SCALE__SCHEDULER_TICK_SECONDS": "0.2",
        "WAAKHOND_SCALE__LEADER_LEASE_SECONDS": "3",
        "WAAKHOND_SCALE__CLASSIFY_BATCH_SIZE": "12",
        "WAAKHOND_SCALE__CLASSIFY_MAX_WAIT_SECONDS": "1",
        "WAAKHOND_SCALE__REQUEUE_AFTER_SECONDS": "60",
        # short, so a killed worker's message comes back soon; longer than any task or retry delay
        "WAAKHOND_SCALE__VISIBILITY_TIMEOUT_SECONDS": "10",
        "WAAKHOND_SCALE__REDELIVERY_SCAN_SECONDS": "1",
        "WAAKHOND_SCALE__RETRY_BACKOFF_SECONDS": "0.5",
        "WAAKHOND_SCALE__RETRY_BACKOFF_MAX_SECONDS": "2",
        # no claim-matching calibration in the test's model folder: a fixed threshold instead
        "WAAKHOND_CLASSIFIER__MATCH_THRESHOLD": "0.9",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.update(extra)
    return env


def settings_from(env: dict[str, str], monkeypatch) -> Settings:
    """The settings the subprocesses will read, built the same way in the test process."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def install_tiny_version(settings: Settings) -> None:
    """The default version the workers and the embedded run both install on first use."""
    encoder = Encoder.from_folder(settings.classifier.base_model_path, settings.classifier)
    write_tiny_version(settings, encoder)


# --- feeds ----------------------------------------------------------------------------------------
def serve_feeds(server: FeedServer, feeds: int = FEEDS, items: int = ITEMS_PER_FEED) -> list[str]:
    """``feeds`` RSS feeds of ``items`` Dutch entries each, mixing signal and plain news."""
    texts = POSITIVE + NEGATIVE
    urls = []
    for f in range(feeds):
        entries = [
            {"guid": f"f{f}-e{i}", "title": texts[(f * items + i) % len(texts)] + f" ({f}.{i})",
             "link": f"https://news{f}.example/{i}", "description": texts[(f + i * 3) % len(texts)]}
            for i in range(items)
        ]
        urls.append(server.route(f"/feed{f}.xml", Route(body=rss_feed(entries, title=f"Feed {f}"))))
    return urls


def add_sources(sessions, urls: list[str], interval_seconds: int = 3600) -> list[int]:
    """One feed source per URL, fetched every ``interval_seconds`` (shorter than the CLI allows
    in the takeover test, so it is set on the row)."""
    from storage.repositories import sources as repo
    from storage.repositories.sources import SourceSpec

    ids = []
    with storage.transaction(sessions) as session:
        for n, url in enumerate(urls):
            source, _ = repo.add_source(session, SourceSpec(url=url, name=f"Feed {n}"), "test")
            source.interval_seconds = source.min_interval_seconds = source.max_interval_seconds = interval_seconds
            ids.append(source.id)
    return ids


# --- processes -------------------------------------------------------------------------------------
@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Processes:
    """Real ``waakhond`` subprocesses, stopped (SIGTERM, then SIGKILL) when the test ends."""

    env: dict[str, str]
    logs: Path
    running: list[Process] = field(default_factory=list)

    def start(self, name: str, *argv: str) -> Process:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}-{len(self.running)}.log"
        with log.open("w") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "waakhond.cli.main", *argv], env={**os.environ, **self.env},
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        process = Process(name, popen, log)
        self.running.append(process)
        return process

    def worker(self, queues: str, *extra: str) -> Process:
        return self.start(f"worker-{queues.replace(',', '-')}", "worker", "--queues", queues, *extra)

    def scheduler(self, *extra: str) -> Process:
        return self.start("scheduler", "scheduler", *extra)

    @staticmethod
    def kill(process: Process) -> None:
        """SIGKILL: the process gets no chance to acknowledge, release or clean up anything."""
        process.popen.send_signal(signal.SIGKILL)
        process.popen.wait(30)

    def stop_all(self) -> None:
        for process in self.running:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.popen.wait(30)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(10)

    def report(self) -> str:
        return "\n".join(f"===== {p.name} (exit {p.popen.poll()})\n{p.output()[-4000:]}" for p in self.running)

    def wait_for(self, condition, what: str) -> None:
        """Poll ``condition``; on a timeout or a process that died unasked, fail with the logs."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            crashed = [p for p in self.running if p.popen.poll() not in (None, -signal.SIGKILL)]
            if crashed or time.monotonic() > deadline:
                why = f"{crashed[0].name} exited" if crashed else "timed out"
                raise AssertionError(f"{why} waiting for {what}\n{self.report()}")
            time.sleep(POLL_SECONDS)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- what the database says -------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """Items by (feed path, entry key) and their classifications, free of ids and times."""

    items: dict[tuple[str, str], tuple]
    classifications: dict[tuple[str, str], tuple]

    def assert_same_as(self, other: Snapshot) -> None:
        assert self.items == other.items
        assert self.classifications.keys() == other.classifications.keys()
        for key, (version, score, flagged, label, topics) in self.classifications.items():
            o_version, o_score, o_flagged, o_label, o_topics = other.classifications[key]
            assert (version, flagged, label, topics) == (o_version, o_flagged, o_label, o_topics), key
            assert abs(score - o_score) < SCORE_TOLERANCE, key


def _feed_path(url: str) -> str:
    return url.rsplit("/", 1)[-1]  # the feed server's port differs between runs


def snapshot(read_sessions) -> Snapshot:
    with read_sessions() as session:
        items = session.execute(
            select(Source.url, Item.entry_key, Item.title, Item.content_hash, Item.language)
            .join(Source, Source.id == Item.source_id)
        ).all()
        scored = session.execute(
            select(Source.url, Item.entry_key, ModelVersion.name, Classification.score, Classification.flagged,
                   Classification.label, Classification.topics)
            .join(Item, Item.id == Classification.item_id)
            .join(Source, Source.id == Item.source_id)
            .join(ModelVersion, ModelVersion.id == Classification.model_version_id)
        ).all()
    item_map = {(_feed_path(r[0]), r[1]): tuple(r[2:]) for r in items}
    assert len(item_map) == len(items), "an item is stored twice"
    classification_map = {(_feed_path(r[0]), r[1]): (r[2], r[3], r[4], r[5], tuple(r[6] or ())) for r in scored}
    assert len(classification_map) == len(scored), "an item is classified twice by one version"
    return Snapshot(item_map, classification_map)


def count(read_sessions, model) -> int:
    with read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def fetched_sources(read_sessions) -> int:
    with read_sessions() as session:
        return int(session.scalar(select(func.count(func.distinct(FetchRun.source_id)))) or 0)


def lease_owner(read_sessions, name: str) -> str | None:
    with read_sessions() as session:
        row = session.execute(text("SELECT owner FROM leases WHERE name = :n"), {"n": name}).first()
    return None if row is None else row[0]
