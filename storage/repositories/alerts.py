"""Repository functions for alert channels, rules and the record of alerts sent or failed,
and the read-only facts the alert rules look at (debunked claims seen again, sources down,
flagged items per topic).

Operators' changes to channels and rules write ``audit_log`` entries. Every delivery attempt,
sent or failed, is one ``alerts`` row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.queries import latest_classification_id
from storage.repositories import audit
from storage.repositories.narratives import SEEN_AT
from storage.schema import (
    DEBUNK_RATINGS,
    Alert,
    AlertChannel,
    AlertRule,
    ClaimMatch,
    Classification,
    FactCheck,
    FetchRun,
    Item,
    PolicyTopic,
    Source,
    utcnow,
)

CHANNEL_KINDS = ("email", "webhook", "teams", "slack", "mattermost")
RULE_KINDS = ("new_narrative", "narrative_spike", "topic_spike", "debunk_seen_again", "source_down", "briefing")
ALERT_STATUSES = ("sent", "failed")
NAME_MAX = 120


# --------------------------------------------------------------------------- channels
def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(f"a name needs 1..{NAME_MAX} characters")
    return name


def add_channel(session: Session, name: str, kind: str, config: dict[str, Any], actor: str) -> AlertChannel:
    if kind not in CHANNEL_KINDS:
        raise InvalidInput(f"unknown channel kind {kind!r}: use one of {', '.join(CHANNEL_KINDS)}")
    name = _name(name)
    if session.scalar(select(AlertChannel.id).where(AlertChannel.name == name)) is not None:
        raise AlreadyExists(f"a channel named {name!r} exists")
    row = AlertChannel(name=name, kind=kind, config=dict(config), enabled=True, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "alert_channel.add", "alert_channel", row.id, {"name": name, "kind": kind})
    return row


def get_channel(session: Session, name_or_id: str | int) -> AlertChannel:
    query = select(AlertChannel)
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        query = query.where(AlertChannel.id == int(name_or_id))
    else:
        query = query.where(AlertChannel.name == str(name_or_id))
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"no alert channel {name_or_id!r}")
    return row


def list_channels(session: Session) -> list[AlertChannel]:
    return list(session.scalars(select(AlertChannel).order_by(AlertChannel.id)))


def remove_channel(session: Session, name_or_id: str | int, actor: str) -> None:
    """Remove a channel and its rules (their recorded alerts stay, without the link)."""
    row = get_channel(session, name_or_id)
    rules = [r.name for r in session.scalars(select(AlertRule).where(AlertRule.channel_id == row.id))]
    session.execute(delete(AlertRule).where(AlertRule.channel_id == row.id), execution_options={"synchronize_session": "fetch"})
    audit.record(session, actor, "alert_channel.remove", "alert_channel", row.id, {"name": row.name, "rules": rules})
    session.delete(row)
    session.flush()


# --------------------------------------------------------------------------- rules
def add_rule(
    session: Session, name: str, kind: str, channel: str | int, params: dict[str, Any], cooldown_seconds: int,
    actor: str,
) -> AlertRule:
    if kind not in RULE_KINDS:
        raise InvalidInput(f"unknown rule kind {kind!r}: use one of {', '.join(RULE_KINDS)}")
    if cooldown_seconds < 0:
        raise InvalidInput("a cooldown cannot be negative")
    name = _name(name)
    if session.scalar(select(AlertRule.id).where(AlertRule.name == name)) is not None:
        raise AlreadyExists(f"a rule named {name!r} exists")
    target = get_channel(session, channel)
    row = AlertRule(name=name, kind=kind, params=dict(params), channel_id=target.id, cooldown_seconds=int(cooldown_seconds),
                    enabled=True, created_by=actor, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "alert_rule.add", "alert_rule", row.id,
                 {"name": name, "kind": kind, "channel": target.name, "params": dict(params)})
    return row


def get_rule(session: Session, name_or_id: str | int) -> AlertRule:
    query = select(AlertRule)
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        query = query.where(AlertRule.id == int(name_or_id))
    else:
        query = query.where(AlertRule.name == str(name_or_id))
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"no alert rule {name_or_id!r}")
    return row


def list_rules(session: Session, enabled_only: bool = False) -> list[AlertRule]:
    query = select(AlertRule).order_by(AlertRule.id)
    if enabled_only:
        query = query.join(AlertChannel, AlertChannel.id == AlertRule.channel_id).where(
            AlertRule.enabled.is_(True), AlertChannel.enabled.is_(True)
        )
    return list(session.scalars(query))


def remove_rule(session: Session, name_or_id: str | int, actor: str) -> None:
    row = get_rule(session, name_or_id)
    audit.record(session, actor, "alert_rule.remove", "alert_rule", row.id, {"name": row.name, "kind": row.kind})
    session.delete(row)
    session.flush()


# --------------------------------------------------------------------------- the record
@dataclass(frozen=True)
class LastAlerts:
    """The latest sent and the latest failed attempt of one (rule, key)."""

    sent_at: datetime | None = None
    sent_evidence_at: datetime | None = None
    failed_at: datetime | None = None


def record_alert(
    session: Session, *, rule_id: int | None, channel_id: int | None, dedup_key: str, status: str, subject: str,
    payload: dict[str, Any], evidence_at: datetime | None, error: str | None = None, at: datetime | None = None,
) -> Alert:
    if status not in ALERT_STATUSES:
        raise InvalidInput(f"unknown alert status {status!r}")
    row = Alert(rule_id=rule_id, channel_id=channel_id, dedup_key=dedup_key[:200], status=status, error=error,
                subject=subject, payload=payload, evidence_at=evidence_at, created_at=at or utcnow())
    session.add(row)
    session.flush()
    return row


def last_alerts(session: Session, rule_ids: Sequence[int]) -> dict[tuple[int, str], LastAlerts]:
    """Per (rule, dedup key): when it was last sent (with the evidence time) and last failed."""
    if not rule_ids:
        return {}
    rows = session.execute(
        select(Alert.rule_id, Alert.dedup_key, Alert.status, func.max(Alert.created_at), func.max(Alert.evidence_at))
        .where(Alert.rule_id.in_(list(rule_ids)))
        .group_by(Alert.rule_id, Alert.dedup_key, Alert.status)
    )
    found: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
    for rule_id, key, status, at, evidence_at in rows:
        if status == "sent":
            found[(rule_id, key)].update(sent_at=at, sent_evidence_at=evidence_at)
        else:
            found[(rule_id, key)].update(failed_at=at)
    return {k: LastAlerts(**v) for k, v in found.items()}


def alert_history(session: Session, limit: int = 50, rule_id: int | None = None) -> list[Alert]:
    query = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
    if rule_id is not None:
        query = query.where(Alert.rule_id == rule_id)
    return list(session.scalars(query))


# --------------------------------------------------------------------------- facts for the rules
@dataclass(frozen=True)
class DebunkSighting:
    """A new match of an item with a debunked claim that had been matched before."""

    fact_check_id: int
    claim: str
    url: str
    publisher: str
    rating: str
    item_id: int
    item_title: str
    item_url: str | None
    source_name: str
    matched_at: datetime
    earlier_matches: int


def debunk_sightings(session: Session, since: datetime) -> list[DebunkSighting]:
    """Matches created since ``since`` with a false / mostly false fact-check that already had
    a match with another item before this one."""
    earlier = aliased(ClaimMatch)
    before = (
        select(func.count(earlier.id))
        .where(earlier.fact_check_id == ClaimMatch.fact_check_id, earlier.item_id != ClaimMatch.item_id,
               earlier.created_at < ClaimMatch.created_at)
        .scalar_subquery()
    )
    rows = session.execute(
        select(FactCheck.id, FactCheck.claim_reviewed, FactCheck.url, FactCheck.publisher, FactCheck.rating,
               Item.id.label("item_id"), Item.title, Item.url.label("item_url"), Source.name,
               ClaimMatch.created_at, before.label("earlier"))
        .join(FactCheck, FactCheck.id == ClaimMatch.fact_check_id)
        .join(Item, Item.id == ClaimMatch.item_id)
        .join(Source, Source.id == Item.source_id)
        .where(ClaimMatch.created_at >= since, FactCheck.rating.in_(DEBUNK_RATINGS))
        .order_by(ClaimMatch.created_at, ClaimMatch.id)
    )
    return [
        DebunkSighting(r.id, r.claim_reviewed, r.url, r.publisher, r.rating, r.item_id, r.title or "", r.item_url,
                       r.name, r.created_at, int(r.earlier or 0))
        for r in rows if (r.earlier or 0) > 0
    ]


@dataclass(frozen=True)
class SourceOutage:
    source_id: int
    name: str
    url: str
    down_since: datetime
    failures: int
    last_error: str | None


def source_outages(session: Session) -> list[SourceOutage]:
    """Enabled sources whose latest fetch failed, with the start of the failing run: the
    first failed fetch after the last good one."""
    outages = []
    for source in session.scalars(
        select(Source).where(Source.enabled.is_(True), Source.last_status == "failed").order_by(Source.id)
    ):
        last_good = session.scalar(
            select(func.max(FetchRun.started_at)).where(
                FetchRun.source_id == source.id, FetchRun.status.in_(("ok", "not_modified"))
            )
        )
        query = select(func.min(FetchRun.started_at)).where(FetchRun.source_id == source.id, FetchRun.status == "failed")
        if last_good is not None:
            query = query.where(FetchRun.started_at > last_good)
        since = session.scalar(query) or source.last_fetched_at
        if since is not None:
            outages.append(SourceOutage(source.id, source.name, source.url, since, source.consecutive_failures,
                                        source.last_error))
    return outages


def flagged_times_by_topic(session: Session, since: datetime) -> dict[str, list[datetime]]:
    """When flagged items (latest classification) were seen, per topic slug; syndicated
    copies count once."""
    rows = session.execute(
        select(SEEN_AT.label("seen_at"), Classification.topics)
        .select_from(Item)
        .join(Classification, Classification.id == latest_classification_id(Item.id))
        .where(Classification.flagged.is_(True), Item.duplicate_of.is_(None), SEEN_AT >= since)
    )
    found: dict[str, list[datetime]] = defaultdict(list)
    for seen_at, topics in rows:
        for slug in set(topics or []):
            found[slug].append(seen_at)
    return dict(found)


def first_item_time(session: Session) -> datetime | None:
    """When collection began (the first item seen): spike baselines start there."""
    return session.scalar(select(func.min(SEEN_AT)))


def topic_names(session: Session) -> dict[str, tuple[int, str]]:
    return {t.slug: (t.id, t.name) for t in session.scalars(select(PolicyTopic))}
