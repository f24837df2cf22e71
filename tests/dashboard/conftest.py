"""Dashboard fixtures: a seeded database (SQLite and PostgreSQL), and AppTests of the real entry
script signed in as each role.

The seed is written with ORM rows and storage functions, never through the collector:
    2 topics, 3 sources (one failing), an active model version, 20 days of items (flagged and
    not, with evidence), one syndicated copy, a fact-check matched to the newest signal, and one
    hostile item (``<script>`` title, ``javascript:`` link).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import storage
from dashboard import data
from dashboard.auth import SESSION_KEY, issue_token
from storage.read_models.daily_counts import refresh_daily_counts
from storage.schema import (
    ClaimMatch,
    Classification,
    FactCheck,
    Item,
    ItemTopic,
    ModelVersion,
    PolicyTopic,
    Source,
    User,
    utcnow,
)

ENTRY_SCRIPT = Path(__file__).resolve().parents[2] / "waakhond" / "dashboard_app.py"
SECRET = "test-secret-key-for-signing-dashboard-sessions"
PASSWORD = "correct horse battery"
ROLES = ("viewer", "analyst", "operator", "admin")
HOSTILE_TITLE = '<script>alert("xss")</script> Stikstofplan verboden'
HOSTILE_URL = "javascript:alert(document.cookie)"
EVIDENCE = "Het kabinet gaat alle boeren onteigenen."
APP_TIMEOUT_SECONDS = 90


@pytest.fixture(scope="session")
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


@dataclass
class Seeded:
    users: dict[str, int]
    topics: dict[str, int]
    sources: dict[str, int]
    model_id: int
    flagged_item: int
    hostile_item: int
    plain_item: int
    fact_check_url: str


def seed(session, password_hash: str) -> Seeded:
    now = utcnow()
    users = {}
    for role in ROLES:
        user = User(username=role, display_name=role.title(), password_hash=password_hash, role=role,
                    created_at=now - timedelta(days=1))
        session.add(user)
        session.flush()
        users[role] = user.id
    topics = {}
    for slug, name, ministry in (("stikstof", "Stikstof", "LVVN"), ("woningmarkt", "Woningmarkt", "VRO")):
        topic = PolicyTopic(slug=slug, name=name, name_en=name + " (en)", ministry=ministry)
        session.add(topic)
        session.flush()
        topics[slug] = topic.id
    sources = {}
    for key, status, failures in (("nos", "ok", 0), ("blog", "failed", 3), ("krant", "ok", 0)):
        source = Source(url=f"https://{key}.example/rss", name=key.upper(), language="nl", last_status=status,
                        consecutive_failures=failures, last_error="timeout" if failures else None,
                        next_due_at=now + timedelta(minutes=10))
        session.add(source)
        session.flush()
        sources[key] = source.id
    model = ModelVersion(name="v1", base_model="e5", path="models/v1", threshold=0.5, status="active",
                         promoted_at=now - timedelta(days=30),
                         metrics={"validation": {"n": 120, "precision": 0.81, "recall": 0.7, "f1": 0.75,
                                                 "roc_auc": 0.9, "pr_auc": 0.8, "ece": 0.04,
                                                 "confusion": {"tp": 35, "fp": 8, "tn": 62, "fn": 15}}})
    session.add(model)
    session.flush()

    def item(n: int, days_ago: float, source: str, title: str, score: float, flagged: bool, topic: str | None,
             url: str | None = None, duplicate_of: int | None = None) -> int:
        body = f"Inleiding over {title}.\n{EVIDENCE} Dat staat in een uitgelekt stuk.\nSlot."
        row = Item(source_id=sources[source], entry_key=f"e{n}", guid=f"g{n}", url=url or f"https://{source}.example/{n}",
                   title=title, summary=body[:60], body_text=body, language="nl", content_hash=f"h{n}",
                   collected_at=now - timedelta(days=days_ago), duplicate_of=duplicate_of)
        session.add(row)
        session.flush()
        start = body.index(EVIDENCE)
        session.add(Classification(item_id=row.id, model_version_id=model.id, score=score, label="x",
                                   flagged=flagged, flag_reasons=["classifier"] if flagged else [],
                                   evidence_text=EVIDENCE, evidence_start=start, evidence_end=start + len(EVIDENCE),
                                   created_at=row.collected_at))
        if topic:
            session.add(ItemTopic(item_id=row.id, topic_id=topics[topic], score=0.9))
        return row.id

    n = 0
    for day in range(1, 20):
        for k in range(2):
            n += 1
            item(n, day + 0.1 * k, "nos", f"Nieuws {n}", 0.2, False, "woningmarkt")
        n += 1
        item(n, day + 0.3, "krant", f"Bewering {n}", 0.75, True, "stikstof")
    flagged = item(1000, 0.1, "nos", "Boeren worden onteigend", 0.93, True, "stikstof")
    item(1001, 0.1, "krant", "Boeren worden onteigend (kopie)", 0.93, True, "stikstof", duplicate_of=flagged)
    hostile = item(1002, 0.2, "blog", HOSTILE_TITLE, 0.88, True, "stikstof", url=HOSTILE_URL)
    plain = item(1003, 0.3, "nos", "Gewoon nieuws", 0.45, False, None)
    check = FactCheck(publisher="Nieuwscheckers", url="https://nieuwscheckers.example/onteigening",
                      claim_key="k1", claim_reviewed="Het kabinet onteigent alle boeren", rating="false",
                      rating_text="Onwaar", language="nl", published_at=now - timedelta(days=3))
    session.add(check)
    session.flush()
    session.add(ClaimMatch(item_id=flagged, fact_check_id=check.id, similarity=0.91, sentence=EVIDENCE))
    session.flush()
    refresh_daily_counts(session, now)
    return Seeded(users, topics, sources, model.id, flagged, hostile, plain, check.url)


@pytest.fixture
def seeded(db, password_hash) -> Seeded:
    with storage.transaction(db.sessions) as session:
        return seed(session, password_hash)


@pytest.fixture
def app_env(db, tmp_path, monkeypatch) -> None:
    """The entry script builds its context from these, exactly as in production."""
    monkeypatch.delenv("WAAKHOND_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray ./waakhond.toml
    monkeypatch.setenv("WAAKHOND_DATABASE_URL", db.url)
    monkeypatch.setenv("WAAKHOND_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("WAAKHOND_SECRET_KEY", SECRET)
    data.clear()


@pytest.fixture
def make_app(app_env, seeded) -> Iterator:
    def make(role: str | None = None, page: str | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(str(ENTRY_SCRIPT), default_timeout=APP_TIMEOUT_SECONDS)
        if page:
            at.query_params["page"] = page
        for key, value in params.items():
            at.query_params[key] = value
        if role:
            at.session_state[SESSION_KEY] = issue_token(SECRET, seeded.users[role], utcnow())
        return at

    yield make


def texts(at: AppTest) -> str:
    """Everything the page shows as text, Markdown, HTML, captions, alerts and metrics."""
    parts = [e.value for kind in ("markdown", "text", "caption", "title", "subheader", "error", "info",
                                  "success", "warning") for e in getattr(at, kind)]
    parts += [e.value for e in at.get("html")]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)
