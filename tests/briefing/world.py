"""A realistic week in storage for briefing tests, written as the collector, classifier,
matcher, narrative clustering and analysts store it.

The messages of the two spikes are the demo corpus's own (``waakhond demo``: spike B, cash is
abolished on 1 January; spike A, farmers expropriated for asylum housing), their first
sentence the evidence. Week 2025-W35 (25-31 August 2025), the briefing made on Monday 1 September:
- digitale-overheid-geld: spike B grows from 2 messages in W34 to 9 in W35 over 4 sources,
  two of its messages matched to a debunk; flagged volume 1, 2, 4 in W32..W34 and 9 in W35;
  the classifier wrote the signal's parts on its messages; one analyst confirms two of them
  and rejects one (and gave a label the week before, which is not this week's)
- stikstof-landbouw: spike A, 0 in W34 and 6 in W35; a steady narrative beside it (3 in W34,
  3 in W35: it did not grow, so it is not listed)
- onderwijs: nothing at all (a quiet topic)
A hostile title (markup) and a debunk with a javascript: link ride along in spike B.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import storage
from classifier.narratives import NarrativeSettings
from classifier.narratives import runner as narrative_runner
from storage.read_models.daily_counts import refresh_daily_counts
from storage.repositories import labels as label_repo
from storage.repositories import topics as topic_repo
from storage.repositories import users as user_repo
from storage.repositories.topics import TopicSpec
from storage.schema import ItemTopic, Label, PolicyTopic
from tests.narratives import rows
from waakhond.demo.corpus import load_corpus

WEEK = "2025-W35"
WEEK_START = datetime(2025, 8, 25, tzinfo=UTC)
NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
NARRATIVES = NarrativeSettings(min_background_items=20)
CASH, EXPROPRIATION = rows.orthogonal_pair(7)
STEADY = rows.direction(21)
STEADY_SENTENCE = "Boeren moeten volgend jaar de helft van hun koeien wegdoen."
HOSTILE_TITLE = '<script>alert("x")</script> Contant geld weg'
DEBUNK_URL = "https://factcheck.example.org/contant-geld-blijft"
TOPICS = (
    TopicSpec("digitale-overheid-geld", "Digitale overheid en geld", name_en="Digital government and money",
              ministry="Financiën"),
    TopicSpec("stikstof-landbouw", "Stikstof en landbouw", name_en="Nitrogen and farming", ministry="LVVN"),
    TopicSpec("onderwijs", "Onderwijs", name_en="Education", ministry="OCW"),
)


def _parts(sentence: str, narrative: str | None) -> dict:
    parts = {
        "rule": "parts-v1", "flagged_by": ["checkworthy", "narrative"] if narrative else ["head"],
        "head": {"score": 0.81, "threshold": 0.55, "version": "nl-disinfo-test"},
        "checkworthy": {"score": 0.74, "threshold": 0.40, "sentence": sentence},
        "topic": {"slug": "digitale-overheid-geld", "score": 0.52},
    }
    if narrative:
        parts["narrative"] = {"score": 0.66, "threshold": 0.60, "name": narrative, "similarity": 0.83}
    return parts


def first_sentence(text: str) -> str:
    end = min((i for i in (text.find(". "), text.find("! "), text.find("? ")) if i >= 0), default=len(text) - 1)
    return text[: end + 1].strip()


def spike_messages(spike: str) -> list[tuple[str, str]]:
    """(title, evidence sentence) of the demo corpus's spike posts, originals only."""
    return [(i.title, first_sentence(i.summary)) for i in load_corpus().items if i.spike == spike]


def build(db) -> dict:
    """Fill ``db`` with the week; returns ids the tests look at."""
    with storage.transaction(db.sessions) as s:
        topic_ids = {}
        for spec in TOPICS:
            row = s.query(PolicyTopic).filter_by(slug=spec.slug).one_or_none() or topic_repo.add_topic(
                s, spec, actor="test")
            topic_ids[spec.slug] = row.id
        version = rows.model_version(s)
        feeds = [rows.source(s, name) for name in ("omroep", "krant", "forum", "blog")]
        rows.background_items(s, feeds[0], version, 30, WEEK_START - timedelta(days=30))

        def flagged(at, vector, topic, evidence, title="", parts=None):
            item = rows.item(s, feeds[flagged.n % 4], version, at, vector, topics=(topic,), evidence=evidence,
                             title=title)
            flagged.n += 1
            s.add(ItemTopic(item_id=item.id, topic_id=topic_ids[topic], score=0.8))
            if parts is not None:
                item_signal = s.query(rows.Classification).filter_by(item_id=item.id).one()
                item_signal.signal_parts = parts
            s.flush()
            return item
        flagged.n = 0

        # the weeks before: scattered flagged messages (unrelated directions), W32..W34
        for week_back, count in ((3, 1), (2, 2), (1, 2)):
            for i in range(count):
                flagged(WEEK_START - timedelta(weeks=week_back) + timedelta(days=1 + i), rows.direction(900 + 10 * week_back + i),
                        "digitale-overheid-geld", "Iets anders over betalen.")
        # spike B: 2 messages late in W34, 9 in W35
        posts_b = spike_messages("B")
        cash = [flagged(WEEK_START - timedelta(hours=30 - i), rows.near(CASH, i), "digitale-overheid-geld",
                        posts_b[i][1], title=posts_b[i][0]) for i in range(2)]
        cash += [flagged(WEEK_START + timedelta(days=3, hours=i), rows.near(CASH, 10 + i), "digitale-overheid-geld",
                         posts_b[2 + i][1], title=HOSTILE_TITLE if i == 0 else posts_b[2 + i][0],
                         parts=_parts(posts_b[2 + i][1], "Contant geld verdwijnt")) for i in range(9)]
        # spike A: 6 in W35 (none before)
        posts_a = spike_messages("A")
        expropriation = [flagged(WEEK_START + timedelta(days=4, hours=i), rows.near(EXPROPRIATION, 60 + i),
                                 "stikstof-landbouw", posts_a[i][1], title=posts_a[i][0]) for i in range(6)]
        # a steady nitrogen narrative: 3 a week in W34 and W35
        steady = [flagged(WEEK_START + timedelta(days=d, hours=2), rows.near(STEADY, 40 + d), "stikstof-landbouw",
                          STEADY_SENTENCE) for d in (-5, -4, -3, 1, 2, 4)]
        check = rows.fact_check(s, "Contant geld wordt in 2026 afgeschaft", "false", url=DEBUNK_URL)
        rows.claim_match(s, cash[3], check)
        rows.claim_match(s, cash[6], check)
        bad = rows.fact_check(s, "Contant geld weg", "false", url="javascript:alert(1)")
        rows.claim_match(s, cash[7], bad)
        analyst = user_repo.add_user(s, "analist", "een-lang-wachtwoord-1", "analyst", "test")
        for item, label, part in ((cash[2], "disinformation", None), (cash[4], "misleading", None),
                                  (cash[5], "not_disinformation", "narrative")):
            row = label_repo.add_label(s, item.id, analyst, label, wrong_part=part)
            row.created_at = WEEK_START + timedelta(days=4)  # given during the week
        old = label_repo.add_label(s, cash[0].id, analyst, "disinformation")
        old.created_at = WEEK_START - timedelta(days=1)  # the week before: not this week's
        s.flush()
        assert s.query(Label).count() == 4
        ids = {"cash": [i.id for i in cash], "expropriation": [i.id for i in expropriation],
               "steady": [i.id for i in steady], "topics": topic_ids, "posts_a": posts_a, "posts_b": posts_b}
    narrative_runner.place_pending(db.sessions, NARRATIVES)
    with storage.transaction(db.sessions) as s:
        refresh_daily_counts(s, now=NOW)
    return ids
