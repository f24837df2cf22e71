"""From storage's read models to the API's JSON models (``api.schemas``). Every URL passes
``storage.urls.web_url``: a link that is not http(s) becomes null, whatever a row holds."""

from __future__ import annotations

from api import schemas
from api.context import GuidanceLink
from storage import web_url
from storage.read_models import (
    DEBUNK_RATINGS,
    HEALTHY_STATUSES,
    ContractSignal,
    DebunkView,
    LabelRow,
    MemberView,
    NarrativeView,
    SourceHealth,
    TopicView,
)
from storage.repositories import MatchView


def signal(row: ContractSignal) -> schemas.Signal:
    return schemas.Signal(
        item_id=row.item_id, source_id=row.source_id, source_name=row.source_name, guid=row.guid,
        url=web_url(row.url), canonical_url=web_url(row.canonical_url), title=row.title, summary=row.summary,
        published_at=row.published_at, collected_at=row.collected_at, appeared_at=row.appeared_at,
        language=row.language, duplicate_of=row.duplicate_of, model_version_id=row.model_version_id,
        score=row.score, flagged=row.flagged, flag_reasons=row.flag_reasons, evidence_text=row.evidence_text,
        topics=row.topics, fact_check_ids=row.debunks, signal_parts=row.signal_parts,
    )


def topic(view: TopicView) -> schemas.Topic:
    return schemas.Topic(id=view.id, slug=view.slug, name=view.name, name_en=view.name_en, ministry=view.ministry)


def guidance(links: list[GuidanceLink]) -> list[schemas.Guidance]:
    out = []
    for link in links:
        url = web_url(link.url)
        if url is not None:
            out.append(schemas.Guidance(title=link.title, url=url, topic=link.topic))
    return out


def match(view: MatchView) -> schemas.Match:
    return schemas.Match(
        item_id=view.item_id, fact_check_id=view.fact_check_id, similarity=view.similarity, sentence=view.sentence,
        sentence_start=view.sentence_start, sentence_end=view.sentence_end, claim_reviewed=view.claim,
        rating=view.rating, rating_text=view.rating_text, publisher=view.publisher, url=web_url(view.url),
        language=view.language, published_at=view.published_at, debunk=view.rating in DEBUNK_RATINGS,
        score=view.score, item_refutes_claim=bool(view.debunk), refute_cue=view.debunk_cue,
    )


def label(row: LabelRow) -> schemas.Label:
    return schemas.Label(id=row.id, item_id=row.item_id, user_id=row.user_id, username=row.username,
                         label=row.label, wrong_part=row.wrong_part, note=row.note, created_at=row.created_at,
                         retracted_at=row.retracted_at)


def narrative(view: NarrativeView) -> schemas.Narrative:
    return schemas.Narrative(
        id=view.id, title=view.title, representative_sentence=view.representative_sentence,
        representative_item_id=view.representative_item_id, topics=view.topics, status=view.status,
        first_seen=view.first_seen, last_seen=view.last_seen, item_count=view.item_count,
        source_count=view.source_count, merged_into=view.merged_into,
    )


def member(view: MemberView) -> schemas.NarrativeMember:
    return schemas.NarrativeMember(item_id=view.item_id, title=view.title, url=web_url(view.url),
                                   source_id=view.source_id, source_name=view.source_name, seen_at=view.seen_at,
                                   similarity=view.similarity)


def debunk(view: DebunkView) -> schemas.Debunk:
    return schemas.Debunk(fact_check_id=view.fact_check_id, publisher=view.publisher, url=web_url(view.url),
                          claim_reviewed=view.claim, rating=view.rating, rating_text=view.rating_text,
                          matched_items=view.matched_items, best_similarity=view.best_similarity)


def fact_check(row) -> schemas.FactCheck:
    return schemas.FactCheck(id=row.id, publisher=row.publisher, url=web_url(row.url), claim_reviewed=row.claim_reviewed,
                             headline=row.headline, rating=row.rating, rating_text=row.rating_text,
                             claim_author=row.claim_author, language=row.language, published_at=row.published_at,
                             created_at=row.created_at)


def source(view: SourceHealth) -> schemas.SourceHealth:
    healthy = view.enabled and not view.consecutive_failures and (
        view.last_status is None or view.last_status in HEALTHY_STATUSES)
    return schemas.SourceHealth(
        id=view.id, name=view.name, url=web_url(view.url), kind=view.kind, enabled=view.enabled,
        disabled_reason=view.disabled_reason, interval_seconds=view.interval_seconds, language=view.language,
        last_status=view.last_status, last_error=view.last_error, last_fetched_at=view.last_fetched_at,
        next_due_at=view.next_due_at, consecutive_failures=view.consecutive_failures, healthy=healthy,
    )
