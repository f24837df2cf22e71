"""Collect runs into a real database (SQLite and PostgreSQL): items, fetch runs, schedules,
failures, duplicates, language, full text, page processors, atomicity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

import storage
from collector.pages import PageProcessors
from storage.repositories import audit
from storage.schema import AuditEntry, FetchRun, Item, Source
from tests.collector.conftest import add_source, make_collector, run_collect
from tests.support.feed_server import Route, article_page, rss_feed

DUTCH = (
    "Het kabinet wil de huurtoeslag vanaf volgend jaar verhogen voor huishoudens met een laag inkomen. "
    "Minister Keijzer zegt dat de maatregel tweehonderdduizend huishoudens helpt. De Tweede Kamer debatteert "
    "donderdag over het voorstel, dat volgens critici te laat komt voor de huidige winter in Nederland."
)
ENGLISH = (
    "The Dutch cabinet wants to raise the housing benefit next year for households with a low income. "
    "The minister says the measure helps two hundred thousand households before the coming winter."
)


def items(n: int, prefix: str = "n", text: str = DUTCH) -> list[dict]:
    return [
        {"guid": f"{prefix}-{i}", "title": f"Één bericht {prefix} {i} over café-beleid",
         "link": f"https://news.test/{prefix}/{i}?utm_source=rss", "description": f"<p>{i}: {text}</p>",
         "pubDate": "Wed, 08 Jan 2020 06:06:21 +0100"}
        for i in range(n)
    ]


def stored(db, source_id: int | None = None) -> list[Item]:
    with db.read_sessions() as session:
        query = select(Item).order_by(Item.id)
        if source_id is not None:
            query = query.where(Item.source_id == source_id)
        return list(session.scalars(query))


def runs(db, source_id: int) -> list[FetchRun]:
    with db.read_sessions() as session:
        return list(session.scalars(select(FetchRun).where(FetchRun.source_id == source_id).order_by(FetchRun.id)))


def source_row(db, source_id: int) -> Source:
    with db.read_sessions() as session:
        return session.get(Source, source_id)


def make_due(db, *source_ids: int) -> None:
    with storage.transaction(db.sessions) as session:
        session.execute(update(Source).where(Source.id.in_(source_ids)).values(next_due_at=None))


def test_items_are_stored_once_and_the_second_run_is_conditional(db, server):
    url = server.route("/feed", Route(body=rss_feed(items(5)), etag='"e1"'))
    source_id = add_source(db, url, language="nl")
    first = run_collect(db)
    assert first.counts() == {"ok": 1} and first.items_new == 5
    saved = stored(db)
    assert [i.entry_key for i in saved] == [f"n-{i}" for i in range(5)]
    item = saved[0]
    assert item.title == "Één bericht n 0 over café-beleid"
    assert item.canonical_url == "https://news.test/n/0" and item.url.endswith("utm_source=rss")
    assert item.summary.startswith("0: Het kabinet") and item.summary_html.startswith("<p>")
    assert item.published_at == datetime(2020, 1, 8, 5, 6, 21, tzinfo=UTC)
    assert (item.language, item.to_classify) == ("nl", True)
    assert item.near_dup_signature and item.duplicate_of is None
    assert source_row(db, source_id).etag == '"e1"'

    assert run_collect(db).outcomes == []  # nothing is due yet
    make_due(db, source_id)
    second = run_collect(db)
    assert second.counts() == {"not_modified": 1} and second.items_new == 0
    assert server.requests_to("/feed")[-1].headers["if-none-match"] == '"e1"'
    assert len(stored(db)) == 5
    assert [(r.status, r.http_status, r.items_seen, r.items_new) for r in runs(db, source_id)] == [
        ("ok", 200, 5, 5), ("not_modified", 304, 0, 0)
    ]


def test_new_entries_are_added_and_known_ones_left_alone(db, server):
    server.route("/feed", [Route(body=rss_feed(items(3))), Route(body=rss_feed(items(5)))])
    source_id = add_source(db, server.url("/feed"))
    assert run_collect(db).items_new == 3
    make_due(db, source_id)
    report = run_collect(db)
    assert report.items_new == 2 and len(stored(db)) == 5
    assert runs(db, source_id)[-1].items_seen == 5


def test_a_broken_feed_fails_alone_with_its_reason(db, server):
    good = add_source(db, server.route("/good", Route(body=rss_feed(items(2)))))
    bad = add_source(db, server.route("/bad", Route(status=500)))
    junk = add_source(db, server.route("/junk", Route(body=b"<html><body>geen feed</body></html>",
                                                      content_type="text/html")))
    report = run_collect(db)
    assert sorted((o.source_id, o.status, o.error_kind) for o in report.outcomes) == [
        (good, "ok", None), (bad, "failed", "http_error"), (junk, "failed", "parse_error")
    ]
    [bad_run] = runs(db, bad)
    assert (bad_run.status, bad_run.http_status, bad_run.error_kind) == ("failed", 500, "http_error")
    row = source_row(db, bad)
    assert row.consecutive_failures == 1 and row.last_error.startswith("http_error")
    assert row.next_due_at > datetime.now(UTC) and row.enabled
    assert len(stored(db, good)) == 2


def test_a_source_that_keeps_failing_is_disabled_with_the_reason(db, server):
    source_id = add_source(db, server.route("/down", Route(status=503)))
    for _ in range(2):
        run_collect(db, [source_id], disable_after_failures=2)
    row = source_row(db, source_id)
    assert not row.enabled and row.consecutive_failures == 2
    assert "failed 2 times in a row" in row.disabled_reason and "HTTP 503" in row.disabled_reason
    with db.read_sessions() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.object_id == str(source_id))))
    assert any(e.action == "source.disable" and e.actor == "collector" for e in entries)


def test_an_ssrf_source_is_refused_and_disabled_at_once(db):
    source_id = add_source(db, "http://10.0.0.1/feed.xml")
    metadata_id = add_source(db, "http://169.254.169.254/latest/meta-data/")
    report = run_collect(db)
    assert {o.error_kind for o in report.outcomes} == {"blocked_address"}
    for sid in (source_id, metadata_id):
        [run] = runs(db, sid)
        assert run.error_kind == "blocked_address"
        assert not source_row(db, sid).enabled


def test_syndicated_copies_across_sources_point_at_the_first(db, server):
    original = add_source(db, server.route("/anp", Route(body=rss_feed(items(1, "anp")))))
    copy_text = DUTCH.replace("donderdag", "op donderdag")
    near = add_source(db, server.route("/copy", Route(body=rss_feed(
        [{"guid": "c-1", "title": "Kabinet verhoogt huurtoeslag", "link": "https://other.test/1",
          "description": f"0: {copy_text}"}]))))
    exact = add_source(db, server.route("/exact", Route(body=rss_feed(
        [{"guid": "x-1", "title": "Één bericht anp 0 over café-beleid", "link": "https://third.test/1",
          "description": f"0: {DUTCH}"}]))))
    unrelated = add_source(db, server.route("/other", Route(body=rss_feed(items(1, "u", ENGLISH)))))
    run_collect(db, [original])
    # a fresh collector rebuilds its index from the stored signatures
    run_collect(db, [near, exact, unrelated])
    [root] = stored(db, original)
    assert stored(db, near)[0].duplicate_of == root.id
    assert stored(db, exact)[0].duplicate_of == root.id
    assert stored(db, unrelated)[0].duplicate_of is None


def test_languages_are_tagged_and_only_configured_ones_queued(db, server):
    add_source(db, server.route("/nl", Route(body=rss_feed(items(1, "nl")))))
    add_source(db, server.route("/en", Route(body=rss_feed(items(1, "en", ENGLISH), language="en"))))
    run_collect(db)
    tagged = {i.entry_key: (i.language, i.to_classify) for i in stored(db)}
    assert tagged == {"nl-0": ("nl", True), "en-0": ("en", False)}


def test_other_languages_are_queued_when_settings_say_so(db, server):
    add_source(db, server.route("/en", Route(body=rss_feed(items(1, "en", ENGLISH), language="en"))))
    run_collect(db, classify_languages=["nl", "en"])
    assert [(i.language, i.to_classify) for i in stored(db)] == [("en", True)]


def test_a_utf8_feed_served_as_latin1_is_stored_with_its_diacritics(db, server):
    add_source(db, server.route("/mislabelled", Route(body=rss_feed(items(1)), content_type="text/xml; charset=iso-8859-1")))
    run_collect(db)
    assert stored(db)[0].title == "Één bericht n 0 over café-beleid"


def test_full_text_is_fetched_for_new_entries_with_the_summary_as_fallback(db, server):
    paragraphs = [DUTCH, "Volgens de Raad van State is de uitwerking nog onvoldoende onderbouwd en moet het "
                  "kabinet de gevolgen voor gemeenten beter in kaart brengen voordat de wet ingaat."]
    server.route("/artikel/1", Route(body=article_page("Huurtoeslag omhoog", paragraphs), content_type="text/html"))
    feed = rss_feed([
        {"guid": "a1", "title": "Huurtoeslag omhoog", "link": server.url("/artikel/1"), "description": "Kort."},
        {"guid": "a2", "title": "Weg", "link": server.url("/artikel/missing"), "description": "Samenvatting blijft."},
    ])
    source_id = add_source(db, server.route("/feed", Route(body=feed, etag='"f"')), full_text=True)
    run_collect(db)
    found, missing = stored(db)
    assert "Raad van State" in found.body_text and found.article_status == "ok" and found.summary == "Kort."
    assert "Home" not in found.body_text and "rechten voorbehouden" not in found.body_text
    assert missing.body_text is None and missing.article_status == "http_error"
    assert missing.summary == "Samenvatting blijft."
    make_due(db, source_id)
    server.route("/feed", Route(body=feed))  # no etag now: a full 200 with the same entries
    run_collect(db)
    assert len(server.requests_to("/artikel/1")) == 1  # only new entries get their page fetched


def test_factcheck_pages_go_to_the_page_processor_in_the_same_transaction(db, server):
    page = article_page("Factcheck: klopt het?", [DUTCH])
    server.route("/check/1", Route(body=page, content_type="text/html"))
    server.route("/check/2", Route(body=page, content_type="text/html"))
    feed = rss_feed([{"guid": f"fc{i}", "title": f"Check {i}", "link": server.url(f"/check/{i}")} for i in (1, 2)])
    source_id = add_source(db, server.route("/checks", Route(body=feed)), kind="factcheck")
    seen = []

    def record(session, item, html):
        seen.append((item.id, item.entry_key, "Factcheck: klopt het?" in html))
        audit.record(session, "test-processor", "factcheck.page", "item", item.id)
        if item.entry_key == "fc2":
            raise ValueError("no ClaimReview here")

    processors = PageProcessors()
    processors.register("factcheck", record)
    run_collect(db, processors=processors)
    assert [(key, has_html) for _id, key, has_html in seen] == [("fc1", True), ("fc2", True)]
    assert len(stored(db, source_id)) == 2  # a failing processor never loses the item
    with db.read_sessions() as session:
        written = list(session.scalars(select(AuditEntry).where(AuditEntry.actor == "test-processor")))
    assert [e.object_id for e in written] == [str(seen[0][0])]  # fc2's write was rolled back with its savepoint
    [run] = runs(db, source_id)
    assert run.status == "ok" and "no ClaimReview here" in run.error_message


def test_a_crash_inside_the_store_leaves_nothing_and_a_rerun_completes(db, server, monkeypatch):
    import collector.writer as writer_module

    source_id = add_source(db, server.route("/feed", Route(body=rss_feed(items(4)), etag='"v"')))
    real = writer_module.fetching.upsert_fetch
    calls = {"n": 0}

    def crash_after_insert(session, *args, **kwargs):
        result = real(session, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            session.flush()  # the items are in the transaction...
            raise RuntimeError("power cut")  # ...and then the process "dies" before commit
        return result

    monkeypatch.setattr(writer_module.fetching, "upsert_fetch", crash_after_insert)
    report = run_collect(db)
    assert report.outcomes[0].error_kind == "internal_error"
    assert stored(db) == []
    assert source_row(db, source_id).etag is None  # validators were not kept: the rerun fetches fully
    monkeypatch.setattr(writer_module.fetching, "upsert_fetch", real)
    make_due(db, source_id)
    assert run_collect(db).items_new == 4
    assert len(stored(db)) == 4


def test_adaptive_polling_follows_the_feed(db, server):
    source_id = add_source(db, server.route("/feed", Route(body=rss_feed(items(2)), etag='"x"')), interval_seconds=900)
    run_collect(db)
    assert source_row(db, source_id).poll_factor == 0.5
    make_due(db, source_id)
    run_collect(db)  # 304: nothing new
    row = source_row(db, source_id)
    assert row.poll_factor == 0.5 * 1.25
    assert row.next_due_at - row.last_fetched_at == timedelta(seconds=int(900 * 0.625))


def test_upsert_is_idempotent(db):
    from storage.repositories.fetches import FetchRunRecord, SourceUpdate, upsert_fetch
    from storage.repositories.items import NewItem

    source_id = add_source(db, "https://feeds.example.test/rss")
    now = datetime.now(UTC)
    batch = [NewItem(entry_key=f"k{i}", content_hash=f"{i:064d}", title=f"t{i}") for i in range(3)]
    run = FetchRunRecord(started_at=now, finished_at=now, status="ok", items_seen=3)
    update_ = SourceUpdate(next_due_at=now, poll_factor=1.0, consecutive_failures=0)
    for expected_new in (3, 0):
        with storage.transaction(db.sessions) as session:
            assert upsert_fetch(session, source_id, None, run, batch, update_).items_new == expected_new
    assert len(stored(db)) == 3


def test_a_stop_request_releases_unstarted_sources(db, server):
    import asyncio

    ids = [add_source(db, server.route(f"/f{i}", Route(body=rss_feed(items(1, f"s{i}"))))) for i in range(3)]
    collector = make_collector(db)

    async def stopped_run():
        stop = asyncio.Event()
        stop.set()
        return await collector.collect(stop=stop)

    try:
        report = asyncio.run(stopped_run())
    finally:
        collector.close()
    assert report.outcomes == [] and report.skipped == 3
    assert all(source_row(db, sid).lease_owner is None for sid in ids)
    assert run_collect(db).counts() == {"ok": 3}


def test_repeats_inside_one_feed(db, server):
    twice = {"guid": "same", "title": "Vastgepind bericht", "description": DUTCH}
    copy = {"guid": "copy", "title": "Vastgepind bericht", "description": DUTCH}  # new guid, same content
    source_id = add_source(db, server.route("/feed", Route(body=rss_feed([twice, twice, copy]))))
    report = run_collect(db)
    assert report.items_new == 2
    first, second = stored(db, source_id)
    assert (first.entry_key, second.entry_key) == ("same", "copy")
    assert first.duplicate_of is None and second.duplicate_of == first.id


def test_an_operators_interval_change_is_used_from_the_next_fetch(db, server):
    from storage.repositories import sources as repo

    source_id = add_source(db, server.route("/feed", Route(body=rss_feed(items(1)), etag='"x"')), interval_seconds=900)
    run_collect(db, adaptive_polling=False)
    first = source_row(db, source_id)
    assert first.next_due_at - first.last_fetched_at == timedelta(seconds=900)
    with storage.transaction(db.sessions) as session:
        repo.update_source(session, source_id, {"interval_seconds": 120}, "operator")
    assert [o.source_id for o in run_collect(db, adaptive_polling=False).outcomes] == [source_id]  # due at once
    second = source_row(db, source_id)
    assert second.next_due_at - second.last_fetched_at == timedelta(seconds=120)
