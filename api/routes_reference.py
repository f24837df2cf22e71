"""``/api/v1``: topics, narratives and their members, trends per day and topic, fact-checks,
sources' health, labels (analyst tokens) and the caller's own token."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from api import convert, schemas
from api.auth import Caller, analyst, viewer
from api.params import BadParameter
from api.routes_signals import MAX_ID, PAGE_LIMIT, FilterParams, filter_params, resolve_filter
from storage import NotFound
from storage.read_models import (
    NO_TOPIC,
    flagged_per_day,
    list_narratives,
    narrative_detail,
    signal_pages,
    source_health,
    topic_list,
)
from storage.repositories import list_fact_checks
from storage.schema import RATINGS

router = APIRouter()
#: Members shown with one narrative (the newest first); the count is in ``item_count``.
MEMBER_LIMIT = 200
NarrativeStatus = Literal["open", "closed", "all"]


def _page(request: Request, limit: int | None) -> int:
    settings = request.app.state.ctx.settings
    size = limit or settings.page_size
    if size > settings.max_page_size:
        raise BadParameter(f"limit must be at most {settings.max_page_size}")
    return size


Limit = Annotated[int | None, Query(ge=1, le=PAGE_LIMIT, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")]


@router.get("/me", response_model=schemas.TokenInfo, tags=["tokens"], summary="The token this request carries")
def me(request: Request, caller: Annotated[Caller, Depends(viewer)]) -> schemas.TokenInfo:
    return schemas.TokenInfo(name=caller.name, role=caller.role, expires_at=caller.expires_at)


@router.get("/topics", response_model=list[schemas.Topic], tags=["reference"], summary="The policy topics")
def topics(request: Request, caller: Annotated[Caller, Depends(viewer)]) -> list[schemas.Topic]:
    with request.app.state.ctx.read_sessions() as session:
        return [convert.topic(t) for t in topic_list(session)]


@router.get("/narratives", response_model=list[schemas.Narrative], tags=["narratives"],
            summary="Narratives (flagged items carrying the same claim), latest activity first")
def narratives(
    request: Request,
    caller: Annotated[Caller, Depends(viewer)],
    status: Annotated[NarrativeStatus, Query(description="all: every status but merged.")] = "open",
    topic: Annotated[str | None, Query(max_length=64, description="A policy topic slug.")] = None,
    min_items: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Limit = None,
    offset: Offset = 0,
) -> list[schemas.Narrative]:
    with request.app.state.ctx.read_sessions() as session:
        rows = list_narratives(session, status=None if status == "all" else status, min_items=min_items,
                               topic=topic, limit=_page(request, limit), offset=offset)
    return [convert.narrative(r) for r in rows]


@router.get("/narratives/{narrative_id}", response_model=schemas.NarrativeDetail, tags=["narratives"],
            responses={404: {"model": schemas.Problem}}, summary="One narrative, its members and debunks")
def narrative(
    request: Request,
    narrative_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    caller: Annotated[Caller, Depends(viewer)],
) -> schemas.NarrativeDetail:
    ctx = request.app.state.ctx
    with ctx.read_sessions() as session:
        try:
            detail = narrative_detail(session, narrative_id, member_limit=MEMBER_LIMIT)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from exc
    return schemas.NarrativeDetail(
        narrative=convert.narrative(detail.narrative), members=[convert.member(m) for m in detail.members],
        debunks=[convert.debunk(d) for d in detail.debunks],
        guidance=convert.guidance(ctx.guidance_for(detail.narrative.topics)),
    )


@router.get("/trends", response_model=schemas.Trends, tags=["trends"],
            summary="Flagged stories per day and topic (the dashboard's trend counts)")
def trends(
    request: Request,
    caller: Annotated[Caller, Depends(viewer)],
    params: Annotated[FilterParams, Depends(filter_params)],
) -> schemas.Trends:
    with request.app.state.ctx.read_sessions() as session:
        f = resolve_filter(request, session, params)
        counts = flagged_per_day(session, f)
        slugs = {t.id: t.slug for t in topic_list(session)}
    points = [schemas.TrendPoint(day=c.day, topic_id=c.topic_id,
                                 topic=None if c.topic_id == NO_TOPIC else slugs.get(c.topic_id), flagged=c.flagged)
              for c in counts]
    return schemas.Trends(first_day=f.first_day, last_day=f.last_day, points=points)


@router.get("/fact-checks", response_model=list[schemas.FactCheck], tags=["fact-checks"],
            summary="Fact-checks, newest first")
def fact_checks(
    request: Request,
    caller: Annotated[Caller, Depends(viewer)],
    search: Annotated[str | None, Query(max_length=200, description="In the claim, headline, publisher, URL.")] = None,
    rating: Annotated[Literal[RATINGS] | None, Query(description="A normalised rating.")] = None,  # type: ignore[valid-type]
    since: Annotated[date | None, Query(description="Published (else collected) on or after this UTC day.")] = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> list[schemas.FactCheck]:
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    with request.app.state.ctx.read_sessions() as session:
        rows = list_fact_checks(session, search=search or None, rating=rating, since=start,
                                limit=_page(request, limit), offset=offset)
        return [convert.fact_check(r) for r in rows]


@router.get("/sources", response_model=list[schemas.SourceHealth], tags=["sources", "analyst"],
            responses={403: {"model": schemas.Problem}},
            summary="Sources and their health: last fetch, errors, failures, next fetch (analyst tokens only)")
def sources(request: Request, caller: Annotated[Caller, Depends(analyst)]) -> list[schemas.SourceHealth]:
    # which sites are watched and how their fetches fail is operational data: in the dashboard
    # only operators see it (Bronnen); in the API, the highest role, analyst
    with request.app.state.ctx.read_sessions() as session:
        return [convert.source(s) for s in source_health(session)]


@router.get("/labels", response_model=list[schemas.Label], tags=["analyst"],
            responses={403: {"model": schemas.Problem}},
            summary="Analysts' labels, newest first, with who labelled (analyst tokens only)")
def labels(
    request: Request,
    caller: Annotated[Caller, Depends(analyst)],
    since: Annotated[date | None, Query(description="Labelled on or after this UTC day.")] = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> list[schemas.Label]:
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    with request.app.state.ctx.read_sessions() as session:
        return [convert.label(r) for r in signal_pages.recent_labels(session, start, _page(request, limit), offset)]
