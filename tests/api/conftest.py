"""API fixtures: a seeded database (SQLite and PostgreSQL), tokens made through storage, and an
in-process client of the real app (the server test starts ``waakhond api`` as a subprocess).

The seed, written with ORM rows:
    2 topics, 3 sources (one failing), an active model version, 12 days of flagged stories
    (stikstof, score 0.75) and unflagged news, the newest signal (0.93) with its parts, a
    syndicated copy, a fact-check matched to it, a narrative of 3 members, two labels by an
    analyst, and one hostile item (``<script>`` and control characters in the title and the
    evidence, a ``javascript:`` link, a fact-check with a ``javascript:`` URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

import storage
from api.app import create_app
from api.context import ApiContext, GuidanceLink
from api.settings import ApiSettings
from storage.read_models.daily_counts import refresh_daily_counts
from storage.repositories import api_tokens
from storage.schema import (
    ClaimMatch,
    Classification,
    FactCheck,
    Item,
    ItemTopic,
    Label,
    ModelVersion,
    Narrative,
    NarrativeItem,
    PolicyTopic,
    Source,
    User,
    utcnow,
)
from tests.support.signal_parts import contract_parts

EVIDENCE = "Het kabinet gaat alle boeren onteigenen."
HOSTILE_TITLE = '<script>alert("xss")</script> Stikstof\x01plan \x1b]]> verboden & weg'
HOSTILE_EVIDENCE = "<img src=x onerror=alert(1)> boeren\x0b worden onteigend"
HOSTILE_URL = "javascript:alert(document.cookie)"
FACT_CHECK_URL = "https://nieuwscheckers.example/onteigening"
GUIDANCE_GENERAL = GuidanceLink("Is dat echt zo?", "https://www.isdatechtzo.nl/", None)
GUIDANCE_STIKSTOF = GuidanceLink("Stikstof - Rijksoverheid", "https://www.rijksoverheid.nl/onderwerpen/stikstof", "stikstof")
FLAGGED_DAYS = 12


def guidance_for(slugs):
    return [GUIDANCE_STIKSTOF for s in slugs if s == "stikstof"][:1] + [GUIDANCE_GENERAL]


@dataclass
class Seeded:
    topics: dict[str, int]
    sources: dict[str, int]
    model_id: int
    newest: int  # the newest signal: parts, a debunk match, in the narrative, labelled
    copy: int
    hostile: int
    plain: int  # not flagged
    narrative_id: int
    fact_check_id: int
    flagged_stories: int  # flagged originals within the last 30 days


def seed(session) -> Seeded:
    now = utcnow()
    analyst = User(username="ana", display_name="Ana Lyst", password_hash="x", role="analyst", created_at=now)
    session.add(analyst)
    topics = {}
    for slug, name in (("stikstof", "Stikstof"), ("woningmarkt", "Woningmarkt")):
        topic = PolicyTopic(slug=slug, name=name, name_en=name + " (en)", ministry="LVVN")
        session.add(topic)
        session.flush()
        topics[slug] = topic.id
    sources = {}
    for key, status, failures in (("nos", "ok", 0), ("blog", "failed", 3), ("krant", "ok", 0)):
        source = Source(url=f"https://{key}.example/rss", name=key.upper(), language="nl", last_status=status,
                        consecutive_failures=failures, last_error="timeout" if failures else None)
        session.add(source)
        session.flush()
        sources[key] = source.id
    model = ModelVersion(name="v1", base_model="e5", path="models/v1", threshold=0.5, status="active")
    session.add(model)
    session.flush()

    def item(n, days_ago, source, title, score, flagged, topic, url=None, duplicate_of=None, evidence=EVIDENCE,
             parts=None):
        body = f"Inleiding over {title}.\n{evidence} Dat staat in een uitgelekt stuk."
        row = Item(source_id=sources[source], entry_key=f"e{n}", guid=f"g{n}", url=url or f"https://{source}.example/{n}",
                   title=title, summary=body[:60], body_text=body, language="nl", content_hash=f"h{n}",
                   collected_at=now - timedelta(days=days_ago), duplicate_of=duplicate_of)
        session.add(row)
        session.flush()
        start = body.index(evidence)
        session.add(Classification(item_id=row.id, model_version_id=model.id, score=score, label="x", flagged=flagged,
                                   flag_reasons=["classifier"] if flagged else [], evidence_text=evidence,
                                   evidence_start=start, evidence_end=start + len(evidence),
                                   created_at=row.collected_at, signal_parts=parts))
        if topic:
            session.add(ItemTopic(item_id=row.id, topic_id=topics[topic], score=0.9))
        return row.id

    members = []
    for day in range(1, FLAGGED_DAYS + 1):
        item(100 + day, day + 0.5, "nos", f"Nieuws {day}", 0.2, False, "woningmarkt")
        members.append(item(200 + day, day + 0.3, "krant", f"Bewering {day}", 0.75, True, "stikstof"))
    newest = item(1000, 0.1, "nos", "Boeren worden onteigend", 0.93, True, "stikstof", parts=contract_parts())
    copy = item(1001, 0.1, "krant", "Boeren worden onteigend (kopie)", 0.93, True, "stikstof", duplicate_of=newest)
    hostile = item(1002, 0.2, "blog", HOSTILE_TITLE, 0.88, True, "stikstof", url=HOSTILE_URL, evidence=HOSTILE_EVIDENCE)
    plain = item(1003, 0.3, "nos", "Gewoon nieuws", 0.45, False, None)
    check = FactCheck(publisher="Nieuwscheckers", url=FACT_CHECK_URL, claim_key="k1",
                      claim_reviewed="Het kabinet onteigent alle boeren", rating="false", rating_text="Onwaar",
                      language="nl", published_at=now - timedelta(days=3))
    bad_check = FactCheck(publisher="Kwaadwillig", url=HOSTILE_URL, claim_key="k2", claim_reviewed="<b>claim</b>",
                          rating="false", rating_text="Onwaar", language="nl", published_at=now - timedelta(days=2))
    session.add_all([check, bad_check])
    session.flush()
    session.add(ClaimMatch(item_id=newest, fact_check_id=check.id, similarity=0.91, sentence=EVIDENCE, score=0.87))
    session.add(ClaimMatch(item_id=hostile, fact_check_id=bad_check.id, similarity=0.85, sentence=HOSTILE_EVIDENCE))
    narrative = Narrative(title="Boeren worden onteigend", representative_sentence=EVIDENCE,
                          representative_item_id=newest, topics=["stikstof"], status="open",
                          first_seen=now - timedelta(days=3), last_seen=now - timedelta(hours=2), item_count=3,
                          source_count=2)
    session.add(narrative)
    session.flush()
    for item_id in (newest, members[0], members[1]):
        session.add(NarrativeItem(narrative_id=narrative.id, item_id=item_id, similarity=0.9))
    session.add(Label(item_id=newest, user_id=analyst.id, label="disinformation", wrong_part=None,
                      created_at=now - timedelta(hours=1)))
    session.add(Label(item_id=members[0], user_id=analyst.id, label="not_disinformation", wrong_part="head",
                      note="legitieme kritiek", created_at=now - timedelta(hours=2)))
    session.flush()
    refresh_daily_counts(session, now)
    return Seeded(topics, sources, model.id, newest, copy, hostile, plain, narrative.id, check.id,
                  flagged_stories=FLAGGED_DAYS + 2)


@pytest.fixture
def seeded(db) -> Seeded:
    with storage.transaction(db.sessions) as session:
        return seed(session)


@pytest.fixture
def make_token(db):
    def make(name: str, role: str, expires_days: int | None = None) -> str:
        with storage.transaction(db.sessions) as session:
            return api_tokens.create_token(session, name, role, "test-admin", expires_days).token

    return make


@pytest.fixture
def api_settings() -> ApiSettings:
    # a burst high enough that only the rate-limit tests meet the limit
    return ApiSettings(rate_burst=10_000, rate_per_minute=10_000, last_used_interval_seconds=0)


@pytest.fixture
def client(db, seeded, api_settings) -> Iterator[TestClient]:
    ctx = ApiContext(settings=api_settings, sessions=db.sessions, read_sessions=db.read_sessions,
                     guidance_for=guidance_for)
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
