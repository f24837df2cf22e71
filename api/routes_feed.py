"""``/api/v1/feeds/signals.atom``: the signals of one filter (topic, minimum score) as Atom.

The filter lives in the feed's URL, so each URL a team subscribes to is a saved filter. Feed
readers rarely send headers, so this endpoint (and only this one) also takes the token as
``?token=``; see docs/api.md for what that costs (the token ends up wherever the URL is kept).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from api.auth import Caller, feed_viewer
from api.feed import FeedEntry, FeedLink, FeedMeta, atom_feed
from api.params import topic_id
from storage.read_models import SignalFilter, signal_pages
from storage.repositories import matches_for_item

router = APIRouter(tags=["feeds"])
ATOM_TYPE = "application/atom+xml"


def _base_url(request: Request) -> str:
    settings = request.app.state.ctx.settings
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


@router.get(
    "/feeds/signals.atom",
    response_class=Response,
    responses={200: {"content": {ATOM_TYPE: {}}, "description": "An Atom 1.0 feed of flagged stories."}},
    summary="Flagged stories of one topic and minimum score as an Atom feed (token in header or ?token=)",
)
def signals_feed(
    request: Request,
    sub_response: Response,
    caller: Annotated[Caller, Depends(feed_viewer)],
    topic: Annotated[str | None, Query(max_length=64, description="A policy topic slug (see /topics).")] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0, description="Lowest score.")] = 0.0,
) -> Response:
    ctx = request.app.state.ctx
    settings = ctx.settings
    now = ctx.clock()
    with ctx.read_sessions() as session:
        f = SignalFilter(first_day=(now - timedelta(days=settings.feed_period_days - 1)).date(), last_day=now.date(),
                         topic_id=topic_id(session, topic), min_score=min_score)
        rows = signal_pages.signal_page(session, f, "time", None, settings.feed_entries).rows
        matches = {r.item_id: matches_for_item(session, r.item_id) for r in rows}
    entries = [
        FeedEntry(
            item_id=r.item_id, title=r.title, url=r.url or r.canonical_url, source_name=r.source_name,
            published=r.appeared_at, updated=r.appeared_at, score=r.score, evidence=r.evidence_text, topics=r.topics,
            debunks=[FeedLink(m.url, f"{m.publisher}: {m.rating_text or m.rating} - {m.claim}")
                     for m in matches[r.item_id]],
            guidance=[FeedLink(g.url, g.title) for g in ctx.guidance_for(r.topics)],
        )
        for r in rows
    ]
    query = {k: v for k, v in (("topic", topic), ("min_score", f"{min_score:g}" if min_score else None)) if v}
    name = f"topic={topic or 'all'};min_score={min_score:g}"
    meta = FeedMeta(
        feed_id=f"urn:waakhond:signals:{name}",
        title=f"Waakhond signals ({topic or 'all topics'}, score >= {min_score:g})",
        self_url=f"{_base_url(request)}{request.url.path}{'?' + urlencode(query) if query else ''}",
        updated=max((e.updated for e in entries), default=now),
    )
    # a returned Response does not take the headers the token check set (the rate limit's)
    headers = {k: v for k, v in sub_response.headers.items() if k.lower().startswith("x-ratelimit")}
    return Response(atom_feed(meta, entries), media_type=ATOM_TYPE,
                    headers={**headers, "Cache-Control": "private, max-age=60"})
