"""Every endpoint in process (the real app on a real database, SQLite and PostgreSQL): the
contract's shape, the dashboard's filters, cursor paging, roles, bad tokens, bad parameters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

import storage
from api.app import create_app
from api.context import ApiContext
from api.settings import ApiSettings
from storage.repositories import api_tokens
from storage.schema import ApiToken, utcnow
from tests.api.conftest import EVIDENCE, FACT_CHECK_URL, bearer, guidance_for

CONTRACT_SIGNAL_FIELDS = {  # items, classifications and claim_matches columns of the contract
    "item_id", "source_id", "guid", "url", "canonical_url", "title", "summary", "published_at", "language",
    "duplicate_of", "model_version_id", "score", "flagged", "evidence_text",
}


def test_signals_carry_the_contract_columns_newest_first(client, seeded, make_token):
    token = make_token("team", "viewer")
    body = client.get("/api/v1/signals", headers=bearer(token)).json()
    rows = body["signals"]
    assert len(rows) == seeded.flagged_stories and body["next_cursor"] is None
    assert CONTRACT_SIGNAL_FIELDS <= set(rows[0])
    assert rows[0]["item_id"] == seeded.newest
    assert seeded.copy not in {r["item_id"] for r in rows}  # syndicated copies left out
    assert seeded.plain not in {r["item_id"] for r in rows}  # not flagged
    newest = rows[0]
    assert newest["evidence_text"] == EVIDENCE and newest["topics"] == ["stikstof"]
    assert newest["fact_check_ids"] == [seeded.fact_check_id]
    assert newest["signal_parts"]["rule"] == "parts-v1" and newest["signal_parts"]["flagged_by"] == ["head", "narrative"]
    times = [r["appeared_at"] for r in rows]
    assert times == sorted(times, reverse=True)
    hostile = next(r for r in rows if r["item_id"] == seeded.hostile)
    assert hostile["url"] is None  # a javascript: link is never handed out


def test_cursor_paging_visits_every_signal_once(client, seeded, make_token):
    headers = bearer(make_token("team", "viewer"))
    for sort in ("time", "score"):
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": 5, "sort": sort, **({"cursor": cursor} if cursor else {})}
            body = client.get("/api/v1/signals", params=params, headers=headers).json()
            seen += [r["item_id"] for r in body["signals"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == seeded.flagged_stories and pages == 3
        if sort == "score":
            scores = [r["score"] for r in client.get("/api/v1/signals", params={"sort": "score", "limit": 500},
                                                     headers=headers).json()["signals"]]
            assert scores == sorted(scores, reverse=True)
    time_cursor = client.get("/api/v1/signals", params={"limit": 2}, headers=headers).json()["next_cursor"]
    mixed = client.get("/api/v1/signals", params={"sort": "score", "cursor": time_cursor}, headers=headers)
    assert mixed.status_code == 400 and "sort=time" in mixed.json()["detail"]


def test_the_dashboards_filters(client, seeded, make_token):
    headers = bearer(make_token("team", "viewer"))

    def ids(**params):
        response = client.get("/api/v1/signals", params={"limit": 500, **params}, headers=headers)
        assert response.status_code == 200, response.text
        return {r["item_id"] for r in response.json()["signals"]}

    assert ids(min_score=0.9) == {seeded.newest}
    assert ids(min_score=0.8) == {seeded.newest, seeded.hostile}
    assert ids(source=seeded.sources["blog"]) == {seeded.hostile}
    assert ids(topic="woningmarkt") == set()
    assert len(ids(topic="stikstof")) == seeded.flagged_stories
    assert ids(language="en") == set()
    today = utcnow().date()
    every = client.get("/api/v1/signals", params={"limit": 500}, headers=headers).json()["signals"]
    recent = {r["item_id"] for r in every if r["appeared_at"][:10] >= (today - timedelta(days=1)).isoformat()}
    assert ids(days=2) == recent and seeded.newest in recent and len(recent) < len(every)
    assert ids(first_day=(today - timedelta(days=2)).isoformat(), last_day=(today - timedelta(days=1)).isoformat())


def test_one_signal_in_detail_and_labels_for_analysts_only(client, seeded, make_token):
    viewer, analyst = bearer(make_token("v", "viewer")), bearer(make_token("a", "analyst"))
    detail = client.get(f"/api/v1/signals/{seeded.newest}", headers=viewer).json()
    assert detail["evidence_text"] == EVIDENCE and detail["evidence_start"] is not None
    assert detail["body_text"][detail["evidence_start"]:detail["evidence_end"]] == EVIDENCE
    assert [t["slug"] for t in detail["topics"]] == ["stikstof"] and detail["carriers"] == 2
    assert [g["url"] for g in detail["guidance"]] == ["https://www.rijksoverheid.nl/onderwerpen/stikstof",
                                                     "https://www.isdatechtzo.nl/"]
    (match,) = detail["matches"]
    assert match["url"] == FACT_CHECK_URL and match["debunk"] is True and match["similarity"] == pytest.approx(0.91)
    assert match["score"] == pytest.approx(0.87)  # the stage-two score the match was decided on
    assert match["item_refutes_claim"] is False and match["refute_cue"] is None
    assert detail["signal_parts"]["claim_match"]["rating_normalised"] == "false"
    assert detail["model_name"] == "v1" and detail["threshold"] == 0.5
    assert detail["labels"] is None  # viewer
    labelled = client.get(f"/api/v1/signals/{seeded.newest}", headers=analyst).json()
    assert [(lb["username"], lb["label"]) for lb in labelled["labels"]] == [("ana", "disinformation")]
    for path in (f"/api/v1/signals/{seeded.newest}/labels", "/api/v1/labels"):
        refused = client.get(path, headers=viewer)
        assert refused.status_code == 403 and "analyst" in refused.json()["detail"]
        assert client.get(path, headers=analyst).status_code == 200
    labels = client.get("/api/v1/labels", headers=analyst).json()
    assert [lb["label"] for lb in labels] == ["disinformation", "not_disinformation"]
    assert labels[1]["wrong_part"] == "head" and labels[1]["note"] == "legitieme kritiek"
    hostile = client.get(f"/api/v1/signals/{seeded.hostile}", headers=viewer).json()
    assert hostile["url"] is None and hostile["matches"][0]["url"] is None
    assert client.get("/api/v1/signals/999999", headers=viewer).status_code == 404


def test_narratives_trends_fact_checks_sources_topics(client, seeded, make_token):
    headers = bearer(make_token("team", "viewer"))
    (narrative,) = client.get("/api/v1/narratives", headers=headers).json()
    assert narrative["id"] == seeded.narrative_id and narrative["item_count"] == 3
    detail = client.get(f"/api/v1/narratives/{seeded.narrative_id}", headers=headers).json()
    assert len(detail["members"]) == 3 and detail["members"][0]["item_id"] == seeded.newest
    assert detail["debunks"][0]["url"] == FACT_CHECK_URL and detail["guidance"][-1]["topic"] is None
    assert client.get("/api/v1/narratives", params={"status": "closed"}, headers=headers).json() == []
    assert client.get("/api/v1/narratives/424242", headers=headers).status_code == 404

    trends = client.get("/api/v1/trends", params={"days": 30}, headers=headers).json()
    assert sum(p["flagged"] for p in trends["points"]) == seeded.flagged_stories
    assert {p["topic"] for p in trends["points"]} == {"stikstof"}
    assert client.get("/api/v1/trends", params={"topic": "woningmarkt"}, headers=headers).json()["points"] == []

    checks = client.get("/api/v1/fact-checks", headers=headers).json()
    assert {c["url"] for c in checks} == {FACT_CHECK_URL, None}
    assert len(client.get("/api/v1/fact-checks", params={"search": "Nieuwscheckers"}, headers=headers).json()) == 1
    assert client.get("/api/v1/fact-checks", params={"rating": "true"}, headers=headers).json() == []

    assert client.get("/api/v1/sources", headers=headers).status_code == 403  # analysts only
    analyst = bearer(make_token("a", "analyst"))
    sources = {s["name"]: s for s in client.get("/api/v1/sources", headers=analyst).json()}
    assert sources["BLOG"]["healthy"] is False and sources["BLOG"]["consecutive_failures"] == 3
    assert sources["NOS"]["healthy"] is True
    assert {t["slug"] for t in client.get("/api/v1/topics", headers=headers).json()} == {"stikstof", "woningmarkt"}
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "viewer"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wkh_wrong"}, {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcjpwdw=="},
    {"Authorization": "wkh_no_scheme"},
])
def test_no_token_or_a_wrong_one_is_401(client, headers):
    response = client.get("/api/v1/signals", headers=headers)
    assert response.status_code == 401 and response.json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_expired_token_is_401_on_its_next_request(client, db, make_token):
    import storage

    token = make_token("team", "viewer")
    assert client.get("/api/v1/topics", headers=bearer(token)).status_code == 200
    with storage.transaction(db.sessions) as session:
        api_tokens.revoke_token(session, "team", "test-admin")
    refused = client.get("/api/v1/topics", headers=bearer(token))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    expired = make_token("old", "viewer", expires_days=1)
    with storage.transaction(db.sessions) as session:
        row = session.query(ApiToken).filter_by(name="old").one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    refused = client.get("/api/v1/topics", headers=bearer(expired))
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    # a token in the query string counts on the feed only
    assert client.get("/api/v1/topics", params={"token": make_token("q", "viewer")}).status_code == 401


@pytest.mark.parametrize(("path", "params", "status", "reason"), [
    ("/api/v1/signals", {"min_score": "2"}, 422, "less than or equal"),
    ("/api/v1/signals", {"min_score": "nan"}, 422, ""),
    ("/api/v1/signals", {"limit": "0"}, 422, "greater than or equal"),
    ("/api/v1/signals", {"limit": "600"}, 400, "at most 500"),
    ("/api/v1/signals", {"sort": "random"}, 422, "time"),
    ("/api/v1/signals", {"cursor": "garbage"}, 400, "invalid cursor"),
    ("/api/v1/signals", {"topic": "unknown"}, 400, "unknown topic"),
    ("/api/v1/signals", {"source": "999"}, 400, "unknown source"),
    ("/api/v1/signals", {"source": str(2**40)}, 422, "less than or equal"),
    ("/api/v1/signals", {"language": "Dutch!"}, 400, "two- or three-letter"),
    ("/api/v1/signals", {"first_day": "2026-13-01"}, 422, "date"),
    ("/api/v1/signals", {"first_day": "2026-11-05", "last_day": "2026-11-01"}, 400, "after last_day"),
    ("/api/v1/signals", {"days": "3000"}, 400, "between 1 and 366"),
    ("/api/v1/trends", {"first_day": "2000-01-01"}, 400, "longer than"),
    ("/api/v1/signals", {"last_day": "9999-12-31", "days": "1"}, 400, "before 9999-12-31"),
    ("/api/v1/fact-checks", {"search": "boeren\x00"}, 400, "control characters"),  # PostgreSQL refuses NUL
    ("/api/v1/narratives", {"topic": "\x00"}, 400, "control characters"),
    ("/api/v1/signals/0", {}, 422, "greater than or equal"),
    ("/api/v1/signals/abc", {}, 422, "integer"),
    ("/api/v1/narratives", {"status": "merged"}, 422, "open"),
    ("/api/v1/fact-checks", {"rating": "fake"}, 422, "false"),
    ("/api/v1/feeds/signals.atom", {"topic": "unknown"}, 400, "unknown topic"),
])
def test_bad_parameters_are_a_clear_4xx(client, make_token, path, params, status, reason):
    response = client.get(path, params=params, headers=bearer(make_token("team", "viewer")))
    assert response.status_code == status, response.text
    assert reason in response.text


def test_the_rate_limit_per_token_answers_429_with_retry_after(db, seeded, make_token):
    settings = ApiSettings(rate_burst=3, rate_per_minute=1, last_used_interval_seconds=0)
    ctx = ApiContext(settings=settings, sessions=db.sessions, read_sessions=db.read_sessions, guidance_for=guidance_for)
    first, second = make_token("first", "viewer"), make_token("second", "viewer")
    with TestClient(create_app(ctx)) as client:
        answers = [client.get("/api/v1/topics", headers=bearer(first)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers.get("X-RateLimit-Remaining") for a in answers[:3]] == ["2", "1", "0"]
        limited = client.get("/api/v1/topics", headers=bearer(first))
        assert int(limited.headers["Retry-After"]) >= 1 and "rate limit" in limited.json()["detail"]
        assert client.get("/api/v1/topics", headers=bearer(second)).status_code == 200  # its own bucket


def test_last_use_is_recorded(client, db, make_token):
    token = make_token("team", "viewer")
    with db.read_sessions() as session:
        assert api_tokens.find_token(session, token).last_used_at is None
    client.get("/api/v1/topics", headers=bearer(token))
    with db.read_sessions() as session:
        assert api_tokens.find_token(session, token).last_used_at is not None


def test_openapi_and_docs_are_served_under_the_prefix(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/signals", "/api/v1/signals/{item_id}", "/api/v1/narratives", "/api/v1/trends",
            "/api/v1/fact-checks", "/api/v1/sources", "/api/v1/labels", "/api/v1/feeds/signals.atom"} <= paths
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert client.get("/api/v1/docs").status_code == 200


def test_refusals_of_a_known_token_are_audited_guesses_are_not(client, db, make_token):
    from storage.repositories import audit

    viewer = bearer(make_token("team-viewer", "viewer"))
    assert client.get("/api/v1/labels", headers=viewer).status_code == 403
    revoked = make_token("team-gone", "analyst")
    with storage.transaction(db.sessions) as session:
        api_tokens.revoke_token(session, "team-gone", "cli:admin")
    assert client.get("/api/v1/signals", headers=bearer(revoked)).status_code == 401
    assert client.get("/api/v1/signals", headers=bearer("wkh_" + "x" * 43)).status_code == 401
    assert client.get("/api/v1/signals").status_code == 401
    with db.read_sessions() as session:
        refused = [(e.actor, e.details["path"], e.details["reason"])
                   for e in audit.entries(session, object_type="api_token") if e.action == "api.refused"]
    assert sorted(refused) == [("api-token:team-gone", "/api/v1/signals", "token revoked"),
                               ("api-token:team-viewer", "/api/v1/labels", "needs analyst, token is viewer")]
