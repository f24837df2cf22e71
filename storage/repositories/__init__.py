"""Storage's repositories: the writes, one module per thing held (and the look-ups writers need).

Every change to Waakhond's tables goes through a function here, in the caller's session
(``storage.transaction(factory)``): no package writes raw SQL against the tables. Each module
is offered whole, as a namespace (``from storage.repositories import sources``):

- ``sources`` (operators' edits and ``fetch_now``), ``fetches`` (which sources are due, leases,
  ``upsert_fetch``), ``items`` (the collector's inserts and dedup look-ups)
- ``classifications`` (the classifier's output: classifications, embeddings, sentences, topics),
  ``model_versions``, ``labels``, ``topics``, ``claim_matches``, ``factchecks``, ``narratives``
- ``alerts`` (channels, rules, alerts sent), ``briefings``, ``dead_letters``
- ``users``, ``logins``, ``api_tokens``, ``audit`` (who changed what, and when)

The records and constants that other packages pass in or read back are offered by name too.
"""

from storage.repositories import (
    alerts,
    api_tokens,
    audit,
    briefings,
    claim_matches,
    classifications,
    dead_letters,
    factchecks,
    fetches,
    items,
    labels,
    logins,
    model_versions,
    narratives,
    sources,
    topics,
    users,
)
from storage.repositories.alerts import (
    CHANNEL_KINDS,
    RULE_KINDS,
    DebunkSighting,
    LastAlerts,
    SourceOutage,
)
from storage.repositories.audit import (
    SYSTEM_ACTOR,
)
from storage.repositories.briefings import (
    BriefingRecord,
    briefing_by_id,
    briefing_content,
    briefing_for,
    latest_briefing,
    record_briefing,
)
from storage.repositories.claim_matches import (
    CLAIM_MATCH_PART,
    CLAIM_MATCH_REASON,
    CLASSIFIER_REASON,
    DEFAULT_PARTS_RULE,
    HEAD_PART,
    ItemOrigin,
    ItemText,
    MatchRecord,
    MatchView,
    matches_for_item,
)
from storage.repositories.classifications import (
    ClassificationRecord,
    PendingItem,
    SentenceRecord,
    vector_bytes,
)
from storage.repositories.dead_letters import (
    DeadLetterRecord,
    record_dead_letter,
)
from storage.repositories.factchecks import (
    FactCheckSpec,
    UpsertCounts,
    list_fact_checks,
    upsert_fact_checks,
)
from storage.repositories.fetches import (
    SCHEDULER_JOBS_TABLE,
    ClaimedSource,
    FetchRunRecord,
    SourceUpdate,
    due_source_ids,
    release_lease,
    try_acquire_lease,
)
from storage.repositories.items import (
    NewItem,
    existing_entry_keys,
    recent_signatures,
    roots_by_content_hash,
)
from storage.repositories.sources import (
    SourceSpec,
)
from storage.repositories.topics import (
    TopicSpec,
)
from storage.repositories.users import (
    role_at_least,
    verify_password,
)

__all__ = [
    "BriefingRecord",
    "CHANNEL_KINDS",
    "CLAIM_MATCH_PART",
    "CLAIM_MATCH_REASON",
    "CLASSIFIER_REASON",
    "ClaimedSource",
    "ClassificationRecord",
    "DEFAULT_PARTS_RULE",
    "DeadLetterRecord",
    "DebunkSighting",
    "FactCheckSpec",
    "FetchRunRecord",
    "HEAD_PART",
    "ItemOrigin",
    "ItemText",
    "LastAlerts",
    "MatchRecord",
    "MatchView",
    "NewItem",
    "PendingItem",
    "RULE_KINDS",
    "SCHEDULER_JOBS_TABLE",
    "SYSTEM_ACTOR",
    "SentenceRecord",
    "SourceOutage",
    "SourceSpec",
    "SourceUpdate",
    "TopicSpec",
    "UpsertCounts",
    "alerts",
    "api_tokens",
    "audit",
    "briefing_by_id",
    "briefing_content",
    "briefing_for",
    "briefings",
    "claim_matches",
    "classifications",
    "dead_letters",
    "due_source_ids",
    "existing_entry_keys",
    "factchecks",
    "fetches",
    "items",
    "labels",
    "latest_briefing",
    "list_fact_checks",
    "logins",
    "matches_for_item",
    "model_versions",
    "narratives",
    "recent_signatures",
    "record_briefing",
    "record_dead_letter",
    "release_lease",
    "role_at_least",
    "roots_by_content_hash",
    "sources",
    "topics",
    "try_acquire_lease",
    "upsert_fact_checks",
    "users",
    "vector_bytes",
    "verify_password",
]
