# ruff: noqa: F811 - the API fixtures are imported by name and used as arguments
"""Authorisation of the HTTP API, endpoint by endpoint: every GET route the app has (read from
the app itself, so a new endpoint joins this test by existing) is called without a token, with
garbage, forged, expired and revoked tokens (401), and with a token of each role below the one
the route needs (403). A token revoked between two calls is refused at the next one.

The API's own tests (tests/api/) hold the details; this is the systematic sweep."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

import storage
from api import auth
from storage.repositories import api_tokens
from storage.schema import API_TOKEN_ROLES
from tests.api.conftest import api_settings, bearer, client, make_token, seeded  # noqa: F401 - fixtures

#: Routes that are public on purpose (a liveness probe tells nothing about the data).
PUBLIC_ROUTES = {"/api/v1/health"}


def _needed_role(path: str, dependant) -> str | None:
    """The role a route's dependencies ask for (``auth.viewer``/``analyst``/``feed_viewer``)."""
    found = []

    def walk(node) -> None:
        for dep in node.dependencies:
            if dep.call is auth.analyst:
                found.append("analyst")
            elif dep.call in (auth.viewer, auth.feed_viewer):
                found.append("viewer")
            walk(dep)

    walk(dependant)
    if not found:
        assert path in PUBLIC_ROUTES, f"{path} asks for no role at all"
        return None
    return max(found, key=API_TOKEN_ROLES.index)


def _get_routes(app):
    """(path, dependant) of every GET route, also those FastAPI keeps inside included routers."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            candidates = [route]
        elif hasattr(route, "effective_candidates"):  # FastAPI >= 0.165: routers included lazily
            candidates = route.effective_candidates()
        else:
            continue
        for candidate in candidates:
            if "GET" in (candidate.methods or ()):
                yield candidate.path, candidate.dependant


def routes(app) -> list[tuple[str, str]]:
    return [(path, needed) for path, dependant in _get_routes(app) if (needed := _needed_role(path, dependant))]


def _url(path: str, seeded) -> str:
    values = {"item_id": seeded.newest, "narrative_id": seeded.narrative_id, "fact_check_id": seeded.fact_check_id}
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def test_every_endpoint_refuses_missing_garbage_forged_expired_and_revoked_tokens(client, seeded, make_token, db):
    valid = make_token("sweep-analyst", "analyst")
    expired = make_token("sweep-expired", "analyst", expires_days=1)
    revoked = make_token("sweep-revoked", "analyst")
    with storage.transaction(db.sessions) as session:
        api_tokens.revoke_token(session, "sweep-revoked", "test-admin")
        from storage.schema import ApiToken, utcnow

        row = session.query(ApiToken).filter_by(name="sweep-expired").one()
        row.expires_at = utcnow().replace(year=2000)
    forged = valid[:-4] + ("aaaa" if not valid.endswith("aaaa") else "bbbb")
    swept = routes(client.app)
    assert len(swept) >= 10
    for path, _ in swept:
        url = _url(path, seeded)
        assert client.get(url, headers=bearer(valid)).status_code == 200, path
        assert client.get(url).status_code == 401, path
        for token in ("garbage", "wkh_" + "0" * 40, forged, expired, revoked):
            response = client.get(url, headers=bearer(token))
            assert response.status_code == 401, (path, token[:12], response.status_code)
        assert client.get(url, params={"token": revoked}).status_code == 401, path


@pytest.mark.parametrize("role", [r for r in API_TOKEN_ROLES if r != API_TOKEN_ROLES[-1]])
def test_every_endpoint_refuses_each_role_below_the_one_it_needs(client, seeded, make_token, role):
    token = make_token(f"sweep-{role}", role)
    below = [(p, n) for p, n in routes(client.app) if API_TOKEN_ROLES.index(role) < API_TOKEN_ROLES.index(n)]
    assert below, "no endpoint needs more than this role"
    for path, needed in below:
        response = client.get(_url(path, seeded), headers=bearer(token))
        assert response.status_code == 403, (path, needed, response.status_code)
    for path, needed in routes(client.app):
        if (path, needed) not in below:
            assert client.get(_url(path, seeded), headers=bearer(token)).status_code == 200, path


def test_a_token_revoked_between_two_calls_is_refused_at_the_next(client, seeded, make_token, db):
    token = make_token("sweep-mid", "analyst")
    assert client.get("/api/v1/signals", headers=bearer(token)).status_code == 200
    with storage.transaction(db.sessions) as session:
        api_tokens.revoke_token(session, "sweep-mid", "test-admin")
    assert client.get("/api/v1/signals", headers=bearer(token)).status_code == 401
