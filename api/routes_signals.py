"""``/api/v1/signals``: the list (the dashboard's filters, paged by cursor), one signal in
detail, and its labels (analyst tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from api import convert, schemas
from api.auth import Caller, analyst, role_allows, viewer
from api.cursor import decode_cursor, encode_cursor
from api.params import BadParameter, period, signal_filter
from storage import web_url
from storage.read_models import SignalFilter, signal_detail, signal_pages

#: Ids are PostgreSQL ``integer`` columns: a larger number can name no row (and must not reach
#: the database, which would refuse to compare it).
MAX_ID = 2**31 - 1
#: The largest page any setting may allow (``api.max_page_size`` is checked below it).
PAGE_LIMIT = 5000

router = APIRouter(tags=["signals"])
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="The item's id (items.id).")]


@dataclass(frozen=True)
class FilterParams:
    first_day: date | None
    last_day: date | None
    days: int | None
    topic: str | None
    source_id: int | None
    language: str | None
    min_score: float


def filter_params(
    first_day: Annotated[date | None, Query(description="First UTC day (YYYY-MM-DD), inclusive.")] = None,
    last_day: Annotated[date | None, Query(description="Last UTC day, inclusive (default: today).")] = None,
    days: Annotated[int | None, Query(ge=1, le=3660, description="Days back from last_day (instead of first_day).")] = None,
    topic: Annotated[str | None, Query(max_length=64, description="A policy topic slug (see /topics).")] = None,
    source: Annotated[int | None, Query(ge=1, le=MAX_ID, description="A source id (see /sources).")] = None,
    language: Annotated[str | None, Query(max_length=8, description="Item language, e.g. nl.")] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0, description="Lowest score, on the 0.05 grid of the dashboard.")] = 0.0,
) -> FilterParams:
    return FilterParams(first_day, last_day, days, topic, source, language, min_score)


def resolve_filter(request: Request, session, params: FilterParams) -> SignalFilter:
    ctx = request.app.state.ctx
    settings = ctx.settings
    first, last = period(params.first_day, params.last_day, params.days, ctx.clock().date(),
                         settings.default_period_days, settings.max_period_days)
    return signal_filter(session, first, last, params.topic, params.source_id, params.language, params.min_score)


@router.get("/signals", response_model=schemas.SignalList, summary="Flagged stories, newest or highest first")
def list_signals(
    request: Request,
    caller: Annotated[Caller, Depends(viewer)],
    params: Annotated[FilterParams, Depends(filter_params)],
    sort: Annotated[Literal["time", "score"], Query(description="time: newest first; score: highest first.")] = "time",
    limit: Annotated[int | None, Query(ge=1, le=PAGE_LIMIT, description="Rows per page.")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page.")] = None,
) -> schemas.SignalList:
    ctx = request.app.state.ctx
    size = limit or ctx.settings.page_size
    if size > ctx.settings.max_page_size:
        raise BadParameter(f"limit must be at most {ctx.settings.max_page_size}")
    after = decode_cursor(cursor) if cursor else None
    with ctx.read_sessions() as session:
        f = resolve_filter(request, session, params)
        try:
            page = signal_pages.signal_page(session, f, sort, after, size)
        except ValueError as exc:  # a cursor of another sort
            raise BadParameter(str(exc)) from exc
    return schemas.SignalList(signals=[convert.signal(r) for r in page.rows],
                              next_cursor=encode_cursor(page.next_key) if page.next_key else None)


@router.get("/signals/{item_id}", response_model=schemas.SignalDetail,
            responses={404: {"model": schemas.Problem}}, summary="One signal with its evidence, topics, "
            "guidance links, debunk matches and parts (labels for analyst tokens)")
def get_signal(request: Request, item_id: ItemId, caller: Annotated[Caller, Depends(viewer)]) -> schemas.SignalDetail:
    ctx = request.app.state.ctx
    with ctx.read_sessions() as session:
        detail = signal_detail(session, item_id)
        if detail is None:
            raise HTTPException(404, f"no item {item_id}")
        labels = None
        if role_allows(caller.role, "analyst"):
            labels = [convert.label(r) for r in signal_pages.recent_labels(session, item_id=item_id, limit=1000)]
        item_body = detail.texts[0] if detail.texts else None
    topics = [convert.topic(t) for t in detail.topics]
    return schemas.SignalDetail(
        item_id=detail.item_id, title=detail.title, url=web_url(detail.url), source_name=detail.source_name,
        published_at=detail.published_at, collected_at=detail.collected_at, language=detail.language,
        body_text=item_body, score=detail.score, flagged=detail.flagged, flag_reasons=detail.flag_reasons,
        threshold=detail.threshold, model_name=detail.model_name, evidence_text=detail.evidence_text,
        evidence_start=detail.evidence_start, evidence_end=detail.evidence_end, topics=topics,
        guidance=convert.guidance(ctx.guidance_for([t.slug for t in detail.topics])),
        matches=[convert.match(m) for m in detail.matches], carriers=detail.carriers,
        signal_parts=detail.signal_parts if isinstance(detail.signal_parts, dict) else None, labels=labels,
    )


@router.get("/signals/{item_id}/labels", response_model=list[schemas.Label], tags=["analyst"],
            responses={403: {"model": schemas.Problem}, 404: {"model": schemas.Problem}},
            summary="Analysts' labels of one item, with who labelled (analyst tokens only)")
def signal_labels(request: Request, item_id: ItemId, caller: Annotated[Caller, Depends(analyst)]) -> list[schemas.Label]:
    ctx = request.app.state.ctx
    with ctx.read_sessions() as session:
        if not signal_pages.item_exists(session, item_id):
            raise HTTPException(404, f"no item {item_id}")
        return [convert.label(r) for r in signal_pages.recent_labels(session, item_id=item_id, limit=1000)]
