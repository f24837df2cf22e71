"""Who is calling: the API token, checked on the server for every request.

    Authorization: Bearer wkh_...        every endpoint
    ?token=wkh_...                       the Atom feeds only (feed readers rarely send headers)

No token, an unknown one, an expired or a revoked one: 401. A role too low for the endpoint:
403. Over the token's rate: 429 with ``Retry-After``. The roles are ordered viewer < analyst.

Refusals of a known token (expired, revoked, role too low) are audited as ``api.refused`` with
the token's name, the path and the reason. A missing or unknown token is only logged: it names
no one, and writing a row for every guess would let anyone fill the audit log.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

import storage
from storage.repositories import api_tokens, audit
from storage.schema import API_TOKEN_ROLES

log = logging.getLogger(__name__)

REFUSED = "api.refused"
ROLE_RANK = {role: rank for rank, role in enumerate(API_TOKEN_ROLES)}
_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer wkh_...`.")
_query_token = APIKeyQuery(name="token", auto_error=False,
                           description="The API token as a query parameter (Atom feeds only).")


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    role: str
    expires_at: datetime | None = None


def role_allows(role: str, needed: str) -> bool:
    """Pure: may a token of ``role`` read what needs ``needed``?"""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


def _unauthorised(reason: str) -> HTTPException:
    return HTTPException(401, reason, headers={"WWW-Authenticate": 'Bearer realm="waakhond"'})


def _authenticate(request: Request, response: Response, token: str | None) -> Caller:
    ctx = request.app.state.ctx
    if not token:
        raise _unauthorised("an API token is required: send `Authorization: Bearer <token>`")
    now = ctx.clock()
    with ctx.read_sessions() as session:
        view = api_tokens.find_token(session, token.strip())
    if view is None:
        log.warning("API request refused: unknown token", extra={"path": request.url.path,
                                                              "client": _client(request)})
        raise _unauthorised("unknown API token")
    state = view.state(now)
    if state != "active":
        _audit_refusal(request, view.name, view.id, f"token {state}")
        raise _unauthorised(f"this API token is {state}")
    decision = request.app.state.limiter.check(view.id)
    response.headers["X-RateLimit-Limit"] = str(request.app.state.limiter.burst)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    if not decision.allowed:
        retry = max(1, math.ceil(decision.retry_after))
        raise HTTPException(429, f"rate limit of this token reached: retry in {retry} s",
                            headers={"Retry-After": str(retry)})
    if request.app.state.usage.due(view.id):
        try:
            with storage.transaction(ctx.sessions) as session:
                api_tokens.mark_used(session, [view.id], now)
        except Exception as exc:  # a busy database must not refuse a read: the next use retries
            log.warning("could not record the last use of API token %s: %s", view.name, exc)
    return Caller(view.id, view.name, view.role, view.expires_at)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _audit_refusal(request: Request, token_name: str, token_id: int, reason: str) -> None:
    """In a transaction of its own; a database too busy to audit still refuses the request."""
    try:
        with storage.transaction(request.app.state.ctx.sessions) as session:
            audit.record(session, f"api-token:{token_name}", REFUSED, "api_token", token_id,
                                 {"path": request.url.path, "reason": reason, "client": _client(request)})
    except Exception as exc:  # noqa: BLE001 - the refusal stands either way
        log.warning("could not audit a refused API request for token %s: %s", token_name, exc)


def _header_caller(
    request: Request, response: Response, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Caller:
    return _authenticate(request, response, credentials.credentials if credentials else None)


def _feed_caller(
    request: Request,
    response: Response,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    token: str | None = Depends(_query_token),
) -> Caller:
    return _authenticate(request, response, credentials.credentials if credentials else token)


def _require(needed: str, feed: bool = False):
    source = _feed_caller if feed else _header_caller

    def check(request: Request, caller: Caller = Depends(source)) -> Caller:
        if not role_allows(caller.role, needed):
            _audit_refusal(request, caller.name, caller.token_id, f"needs {needed}, token is {caller.role}")
            raise HTTPException(403, f"this endpoint needs an {needed} token; this token is {caller.role}")
        return caller

    return check


viewer = _require("viewer")
analyst = _require("analyst")
feed_viewer = _require("viewer", feed=True)
