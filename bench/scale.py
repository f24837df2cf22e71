"""Scale-out throughput on this machine: real ``waakhond worker`` processes on a real Redis and
PostgreSQL, against the local feed server (in its own process, with network-like latency).

    fetch      items/s with 1, 2 and 4 fetch workers (threads pool, scale.fetch_concurrency each)
               over fresh sources per round; one fetch task per source, sent straight to the queue
               (the scheduler's part is a query and a send per source). Worker start-up excluded.
    naive      the same feeds fetched one after another in one process (Collector.collect_once
               per source): what a home-made loop without workers does
    embedded   the embedded mode in one process (Collector.collect_once over all sources)
    classify   one classify worker with the real encoder (multilingual-e5-small, CPU) at several
               scale.classify_batch_size values: fresh items per round, one task per batch;
               batch size 1 is the naive way (one task per item)

Needs WAAKHOND_TEST_POSTGRES_URL and WAAKHOND_TEST_REDIS_URL (``.ci/start-postgres``,
``.ci/start-redis``); uses Redis database 15 and a throwaway PostgreSQL database.
Prints one JSON object.

    .venv/bin/python bench/scale.py [--feeds 48] [--items-per-feed 20] [--latency 0.1] [--classify-items 96]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

import storage  # noqa: E402
from storage.schema import Classification, FetchRun, Item, Source, utcnow  # noqa: E402
from tests.support.database import PostgresTestServer  # noqa: E402
from tests.support.feed_server import FeedServer, Route, rss_feed  # noqa: E402

WORKER_COUNTS = (1, 2, 4)
BATCH_SIZES = (1, 8, 32, 96)
READY_SECONDS = 120
SEED = 11


def seed_texts() -> list[str]:
    with (ROOT / "classifier" / "data" / "seed" / "seed_nl.csv").open(encoding="utf-8") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def feed_routes(prefix: str, feeds: int, items: int) -> dict[str, bytes]:
    rng = random.Random(SEED)
    texts = seed_texts()
    return {
        f"/{prefix}/feed{f}.xml": rss_feed([
            {"guid": f"{prefix}-{f}-{i}", "title": rng.choice(texts)[:120], "link": f"https://n{f}.example/{prefix}/{i}",
             "description": " ".join(rng.sample(texts, 2))}
            for i in range(items)
        ], title=f"Feed {f}")
        for f in range(feeds)
    }


def serve(routes: dict[str, bytes], latency: float, conn) -> None:
    """The feed server in a process of its own, so the measured processes do not share its GIL."""
    with FeedServer(latency=latency) as server:
        for path, body in routes.items():
            server.route(path, Route(body=body))
        conn.send(server.port)
        conn.recv()  # until the parent says stop


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.procs = env, logs, []

    def start(self, queue: str, n: int) -> None:
        for k in range(n):
            log = self.logs / f"{queue}-{len(self.procs)}-{k}.log"
            with log.open("w") as out:
                proc = subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "worker", "--queues", queue],
                                        env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT)
            self.procs.append((proc, log))
        deadline = time.monotonic() + READY_SECONDS
        while not all(" ready." in log.read_text() for _, log in self.procs):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in self.procs):
                raise SystemExit("a worker did not start:\n" + "\n".join(log.read_text()[-2000:] for _, log in self.procs))
            time.sleep(0.1)

    def stop(self) -> None:
        for proc, _ in self.procs:
            proc.terminate()
        for proc, _ in self.procs:
            proc.wait(60)
        self.procs = []


def add_sources(sessions, urls: list[str]) -> list[int]:
    from storage.repositories import sources as repo
    from storage.repositories.sources import SourceSpec

    with storage.transaction(sessions) as session:
        return [repo.add_source(session, SourceSpec(url=u, name=u.rsplit("/", 2)[-2] + u[-6:]), "bench")[0].id
                for u in urls]


def wait_until(read_sessions, query, target: int) -> None:
    deadline = time.monotonic() + 1800
    while True:
        with read_sessions() as session:
            if int(session.scalar(query) or 0) >= target:
                return
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=48)
    parser.add_argument("--items-per-feed", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the feed server waits per response")
    parser.add_argument("--classify-items", type=int, default=96)
    args = parser.parse_args()
    pg, redis_url = os.environ.get("WAAKHOND_TEST_POSTGRES_URL"), os.environ.get("WAAKHOND_TEST_REDIS_URL")
    if not pg or not redis_url:
        raise SystemExit('needs WAAKHOND_TEST_POSTGRES_URL and WAAKHOND_TEST_REDIS_URL: eval "$(.ci/start-postgres)"; '
                         'eval "$(.ci/start-redis)"')
    broker = redis_url.rsplit("/", 1)[0] + "/15"
    import redis

    redis.Redis.from_url(broker).flushdb()
    database = PostgresTestServer(pg)
    database.create()
    rounds = ["naive", "embedded", *[f"w{n}" for n in WORKER_COUNTS]]
    routes = {p: b for r in rounds for p, b in feed_routes(r, args.feeds, args.items_per_feed).items()}
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(routes, args.latency, child), daemon=True)
    server.start()
    port = parent.recv()
    url = lambda prefix, f: f"http://127.0.0.1:{port}/{prefix}/feed{f}.xml"  # noqa: E731
    workdir = Path(tempfile.mkdtemp(prefix="waakhond-bench-scale-"))
    encoder = Path(os.environ.get("WAAKHOND_TEST_CACHE", ROOT / "var" / "test-cache")) / "multilingual-e5-small"
    env = {
        "WAAKHOND_DATABASE_URL": database.url, "WAAKHOND_BROKER_URL": broker, "WAAKHOND_DATA_DIR": str(workdir),
        "WAAKHOND_COLLECTOR__ALLOW_NETWORKS": '["127.0.0.0/8"]', "WAAKHOND_COLLECTOR__PER_HOST_MIN_DELAY": "0",
        "WAAKHOND_COLLECTOR__RESPECT_ROBOTS": "false", "WAAKHOND_COLLECTOR__PER_HOST_CONCURRENCY": "64",
        "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(encoder), "WAAKHOND_CLASSIFIER__THREADS": "2",
        "WAAKHOND_LOG_LEVEL": "INFO", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    }
    os.environ.update(env)
    from waakhond.context import AppContext
    from waakhond.settings import Settings
    from waakhond.workers.celery_app import create_celery_app
    from waakhond.workers.tasks import CLASSIFY_QUEUE, CLASSIFY_TASK, FETCH_QUEUE, FETCH_TASK

    settings = Settings()
    app = AppContext(settings)
    celery = create_celery_app(settings)
    workers = Workers(env, workdir)
    items_per_round = args.feeds * args.items_per_feed
    result: dict = {"machine": {"cpus": os.cpu_count()}, "feeds": args.feeds, "items_per_feed": args.items_per_feed,
                    "latency_seconds": args.latency, "fetch": {}, "classify": {}}
    try:
        from collector import Collector, default_page_processors

        for mode in ("naive", "embedded"):
            ids = add_sources(app.sessions, [url(mode, f) for f in range(args.feeds)])
            collector = Collector(settings.collector, app.sessions, app.read_sessions,
                                  page_processors=default_page_processors())
            started = time.perf_counter()
            if mode == "naive":
                for source_id in ids:
                    collector.collect_once([source_id])
            else:
                collector.collect_once(ids)
            seconds = time.perf_counter() - started
            collector.close()
            result["fetch"][mode] = {"seconds": round(seconds, 2), "items_per_second": round(items_per_round / seconds, 1)}
        for n in WORKER_COUNTS:
            prefix = f"w{n}"
            ids = add_sources(app.sessions, [url(prefix, f) for f in range(args.feeds)])
            workers.start(FETCH_QUEUE, n)
            started = time.perf_counter()
            for source_id in ids:
                celery.send_task(FETCH_TASK, args=[source_id], queue=FETCH_QUEUE)
            wait_until(app.read_sessions, select(func.count(FetchRun.id)).where(FetchRun.source_id.in_(ids)), len(ids))
            seconds = time.perf_counter() - started
            workers.stop()
            result["fetch"][f"{n}_workers"] = {"seconds": round(seconds, 2),
                                               "items_per_second": round(items_per_round / seconds, 1)}
        naive = result["fetch"]["naive"]["items_per_second"]
        for row in result["fetch"].values():
            row["vs_naive"] = round(row["items_per_second"] / naive, 2)

        texts = seed_texts()
        rng = random.Random(SEED)
        with storage.transaction(app.sessions) as session:
            source = Source(url="https://bench.example/classify", name="bench")
            session.add(source)
            session.flush()
            source_id = source.id
        workers.start(CLASSIFY_QUEUE, 1)
        warm = _add_items(app, source_id, texts, rng, 8, "warm")  # loads the encoder and the version
        celery.send_task(CLASSIFY_TASK, args=[warm], queue=CLASSIFY_QUEUE)
        wait_until(app.read_sessions, select(func.count(Classification.id)).where(Classification.item_id.in_(warm)), 8)
        for size in BATCH_SIZES:
            ids = _add_items(app, source_id, texts, rng, args.classify_items, f"b{size}")
            started = time.perf_counter()
            for start in range(0, len(ids), size):
                celery.send_task(CLASSIFY_TASK, args=[ids[start : start + size]], queue=CLASSIFY_QUEUE)
            wait_until(app.read_sessions, select(func.count(Classification.id)).where(Classification.item_id.in_(ids)),
                       len(ids))
            seconds = time.perf_counter() - started
            result["classify"][f"batch_{size}"] = {"seconds": round(seconds, 2),
                                                   "items_per_second": round(len(ids) / seconds, 2)}
        workers.stop()
        base = result["classify"]["batch_1"]["items_per_second"]
        for row in result["classify"].values():
            row["vs_batch_1"] = round(row["items_per_second"] / base, 2)
        result["classify"]["items"] = args.classify_items
        result["classify"]["encoder"] = "multilingual-e5-small, CPU, classifier.threads=2"
    finally:
        workers.stop()
        app.dispose()
        parent.send("stop")
        server.join(10)
        database.drop()
    print(json.dumps(result, indent=2))


def _add_items(app, source_id: int, texts: list[str], rng: random.Random, n: int, tag: str) -> list[int]:
    """Fresh Dutch items (one to three seed texts each), pending for the active version."""
    with storage.transaction(app.sessions) as session:
        rows = [Item(source_id=source_id, entry_key=f"{tag}-{k}", title=rng.choice(texts)[:120],
                     summary=" ".join(rng.sample(texts, rng.randint(1, 3))), language="nl",
                     content_hash=f"{tag}-{k}", collected_at=utcnow()) for k in range(n)]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


if __name__ == "__main__":
    main()
