"""Storage's read models: queries for the screens (dashboard, API, briefing, alerts, CLI). No writes.

Each module is offered whole, as a namespace (``from storage.read_models import signals``):

- ``signals``: the list of signals, one signal in detail, the figures of the last 24 hours,
  source health, the threshold preview
- ``signal_pages``: the API's signals paged by key, and labels with who labelled
- ``signal_parts``: ``read_signal_parts``, the one reading of ``classifications.signal_parts``
- ``daily_counts``: the daily aggregate behind the trends (``SignalFilter``, ``flagged_per_day``);
  ``refresh_daily_counts`` keeps the aggregate up to date and writes nothing else
- ``narratives``: narratives, their members and debunks; ``growth``: what grew in a period
  (the weekly briefing); ``model_drift``: flag rates and feedback per model version
- ``label_queue``: the analysts' label queue (``label_queue.label_queue``: the next items to
  judge, ranked by ``rank_label_queue``; it takes the classifier's settings as ``QueueSettings``)

The rows they return (frozen dataclasses) and the filters they take are offered by name too.
"""

from storage.read_models import (
    daily_counts,
    growth,
    label_queue,
    model_drift,
    narratives,
    signal_pages,
    signal_parts,
    signals,
)
from storage.read_models.daily_counts import (
    NO_TOPIC,
    SCORE_BUCKETS,
    DayCount,
    RefreshResult,
    SignalFilter,
    bucket_floor,
    first_counted_day,
    flagged_per_day,
    refresh_daily_counts,
)
from storage.read_models.label_queue import (
    QueueEntry,
    QueueSettings,
    rank_label_queue,
)
from storage.read_models.model_drift import (
    Agreement,
    FlagRate,
)
from storage.read_models.narratives import (
    DEBUNK_RATINGS,
    DebunkView,
    MemberView,
    NarrativeView,
    list_narratives,
    narrative_detail,
)
from storage.read_models.signal_pages import (
    ContractSignal,
    LabelRow,
    SignalKey,
)
from storage.read_models.signal_parts import (
    PART_NAMES,
    PART_ORDER,
    SCORING_PARTS,
    PartReading,
    SignalPartsView,
    latest_signal_parts,
    read_signal_parts,
)
from storage.read_models.signals import (
    HEALTHY_STATUSES,
    SORT_KEYS,
    SignalDetail,
    SignalRow,
    SourceHealth,
    TopicView,
    signal_detail,
    source_health,
    topic_list,
)

__all__ = [
    "Agreement",
    "ContractSignal",
    "DEBUNK_RATINGS",
    "DayCount",
    "DebunkView",
    "FlagRate",
    "HEALTHY_STATUSES",
    "LabelRow",
    "MemberView",
    "NO_TOPIC",
    "NarrativeView",
    "PART_NAMES",
    "PART_ORDER",
    "PartReading",
    "QueueEntry",
    "QueueSettings",
    "RefreshResult",
    "SCORE_BUCKETS",
    "SCORING_PARTS",
    "SORT_KEYS",
    "SignalDetail",
    "SignalFilter",
    "SignalKey",
    "SignalPartsView",
    "SignalRow",
    "SourceHealth",
    "TopicView",
    "bucket_floor",
    "daily_counts",
    "first_counted_day",
    "flagged_per_day",
    "growth",
    "label_queue",
    "latest_signal_parts",
    "list_narratives",
    "model_drift",
    "narrative_detail",
    "narratives",
    "rank_label_queue",
    "read_signal_parts",
    "refresh_daily_counts",
    "signal_detail",
    "signal_pages",
    "signal_parts",
    "signals",
    "source_health",
    "topic_list",
]
