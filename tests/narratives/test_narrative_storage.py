"""Narratives stored and changed through storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import storage
from classifier.narratives import NarrativeSettings
from classifier.narratives import runner as narrative_runner
from storage.errors import InvalidInput, NotFound
from storage.read_models import narratives as views
from storage.repositories import audit
from storage.repositories import narratives as repo
from storage.schema import Narrative, NarrativeItem
from tests.narratives import rows

T0 = datetime(2025, 6, 2, 8, tzinfo=UTC)
SETTINGS = NarrativeSettings(min_background_items=20, background_items=500)
CLAIM_A, CLAIM_B = rows.orthogonal_pair(1)


@pytest.fixture
def world(db):
    """Background items, and flagged items of two claims from three sources."""
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        feeds = [rows.source(s, name) for name in ("omroep", "krant", "forum")]
        rows.background_items(s, feeds[0], version, 40, T0 - timedelta(days=2))
        a_items = [
            rows.item(s, feeds[i % 3], version, T0 + timedelta(hours=i), rows.near(CLAIM_A, i),
                      topics=("digitale-overheid-geld",), evidence=f"Cash verdwijnt op 1 januari ({i}).")
            for i in range(6)
        ]
        b_items = [
            rows.item(s, feeds[0], version, T0 + timedelta(hours=2 * i), rows.near(CLAIM_B, 100 + i),
                      topics=("stikstof-landbouw", "wonen"), evidence=f"Boeren worden onteigend ({i}).")
            for i in range(3)
        ]
        ids = {"a": [i.id for i in a_items], "b": [i.id for i in b_items], "version": version.id,
               "feeds": [f.id for f in feeds]}
    return db, ids


def narrative_ids_of(db, item_ids):
    with db.read_sessions() as s:
        return repo.narrative_of_items(s, item_ids)


def test_flagged_items_of_one_claim_form_one_narrative_with_its_summary(world):
    db, ids = world
    report = narrative_runner.place_pending(db.sessions, SETTINGS, now=T0 + timedelta(days=1))
    assert report.placed == 9 and report.new_narratives == 2
    a = set(narrative_ids_of(db, ids["a"]).values())
    b = set(narrative_ids_of(db, ids["b"]).values())
    assert len(a) == 1 and len(b) == 1 and a != b
    with db.read_sessions() as s:
        detail = views.narrative_detail(s, a.pop())
    n = detail.narrative
    assert n.item_count == 6 and n.source_count == 3
    assert n.first_seen == T0 and n.last_seen == T0 + timedelta(hours=5)
    assert n.topics == ["digitale-overheid-geld"]
    assert n.representative_item_id in ids["a"]
    assert n.representative_sentence.startswith("Cash verdwijnt op 1 januari")
    assert n.title == n.representative_sentence
    assert [m.item_id for m in detail.members] == sorted(ids["a"], reverse=True)
    assert {name for name, _ in detail.sources} == {"omroep", "krant", "forum"}


def test_placement_waits_for_the_background(db):
    with storage.transaction(db.sessions) as s:
        version, feed = rows.model_version(s), rows.source(s, "omroep")
        rows.item(s, feed, version, T0, CLAIM_A)
    report = narrative_runner.place_pending(db.sessions, SETTINGS)
    assert report.waiting_for_background and report.placed == 0


def test_later_items_join_the_existing_narrative_and_unflagged_items_never_do(world):
    db, ids = world
    narrative_runner.place_pending(db.sessions, SETTINGS)
    with storage.transaction(db.sessions) as s:
        version = s.get(rows.ModelVersion, ids["version"])
        feed = s.get(rows.Source, ids["feeds"][1])
        late = rows.item(s, feed, version, T0 + timedelta(days=1), rows.near(CLAIM_A, 77)).id
        quiet = rows.item(s, feed, version, T0 + timedelta(days=1), rows.near(CLAIM_A, 78), flagged=False).id
    report = narrative_runner.place_pending(db.sessions, SETTINGS)
    assert report.placed == 1 and report.new_narratives == 0
    placed = narrative_ids_of(db, [late, quiet, ids["a"][0]])
    assert placed[late] == placed[ids["a"][0]] and quiet not in placed
    assert narrative_runner.place_pending(db.sessions, SETTINGS).placed == 0


def test_debunks_are_the_fact_checks_matched_to_any_member(world):
    db, ids = world
    narrative_runner.place_pending(db.sessions, SETTINGS)
    with storage.transaction(db.sessions) as s:
        check = rows.fact_check(s, "Contant geld wordt op 1 januari afgeschaft", "false")
        mixed = rows.fact_check(s, "Cash wordt minder gebruikt", "mixed")
        for item_id in ids["a"][:2]:
            rows.claim_match(s, s.get(rows.Item, item_id), check)
        rows.claim_match(s, s.get(rows.Item, ids["a"][3]), mixed)
    nid = narrative_ids_of(db, ids["a"][:1])[ids["a"][0]]
    other = narrative_ids_of(db, ids["b"][:1])[ids["b"][0]]
    with db.read_sessions() as s:
        debunks = views.narrative_debunks(s, [nid, other])
    assert [(d.fact_check_id, d.matched_items, d.rating) for d in debunks[nid]] == [(check.id, 2, "false"), (mixed.id, 1, "mixed")]
    assert debunks[other] == []


def test_analysts_rename_close_reopen_with_audit_entries(world):
    db, ids = world
    narrative_runner.place_pending(db.sessions, SETTINGS)
    nid = narrative_ids_of(db, ids["a"][:1])[ids["a"][0]]
    with storage.transaction(db.sessions) as s:
        repo.rename_narrative(s, nid, "  Cash  afgeschaft  ", "analist")
        repo.set_status(s, nid, "closed", "analist")
    with pytest.raises(InvalidInput):
        with storage.transaction(db.sessions) as s:
            repo.rename_narrative(s, nid, "   ", "analist")
    with pytest.raises(NotFound):
        with storage.transaction(db.sessions) as s:
            repo.set_status(s, 999_999, "closed", "analist")
    narrative_runner.refresh_stale(db.sessions, SETTINGS)
    with db.read_sessions() as s:
        row = s.get(Narrative, nid)
        assert (row.title, row.renamed_by, row.status) == ("Cash afgeschaft", "analist", "closed")
        actions = [e.action for e in audit.entries(s, object_type="narrative", object_id=nid)]
    assert actions == ["narrative.close", "narrative.rename"]
    with storage.transaction(db.sessions) as s:  # closed narratives take no new items
        version, feed = s.get(rows.ModelVersion, ids["version"]), s.get(rows.Source, ids["feeds"][0])
        late = rows.item(s, feed, version, T0 + timedelta(hours=9), rows.near(CLAIM_A, 91)).id
    narrative_runner.place_pending(db.sessions, SETTINGS)
    assert narrative_ids_of(db, [late])[late] != nid


def test_split_and_merge_by_an_analyst(world):
    db, ids = world
    narrative_runner.place_pending(db.sessions, SETTINGS)
    nid = narrative_ids_of(db, ids["a"][:1])[ids["a"][0]]
    moved = ids["a"][3:]
    with storage.transaction(db.sessions) as s:
        new = repo.split_narrative(s, nid, moved, "analist", title="Tweede golf").id
    with db.read_sessions() as s:
        old_row, new_row = s.get(Narrative, nid), s.get(Narrative, new)
        assert (old_row.item_count, new_row.item_count) == (3, 3)
        assert not old_row.auto_merge and not new_row.auto_merge and new_row.title == "Tweede golf"
        assert new_row.needs_refresh and old_row.needs_refresh
    assert narrative_runner.refresh_stale(db.sessions, SETTINGS) == 2
    with db.read_sessions() as s:
        assert s.get(Narrative, new).representative_item_id in moved
        assert s.get(Narrative, new).title == "Tweede golf"  # renamed: the title stays
    for bad in ([], [ids["b"][0]], ids["a"][:3]):
        with pytest.raises(InvalidInput):
            with storage.transaction(db.sessions) as s:
                repo.split_narrative(s, nid, bad, "analist")
    with storage.transaction(db.sessions) as s:
        repo.merge_narratives(s, new, nid, "analist")
    with db.read_sessions() as s:
        merged, target = s.get(Narrative, new), s.get(Narrative, nid)
        assert (merged.status, merged.merged_into, merged.item_count) == ("merged", nid, 0)
        assert target.item_count == 6
        assert [e.action for e in audit.entries(s, object_type="narrative")][:2] == ["narrative.merge", "narrative.split"]
        assert [v.id for v in views.list_narratives(s, status=None)].count(new) == 0
    with pytest.raises(InvalidInput):
        with storage.transaction(db.sessions) as s:
            repo.merge_narratives(s, new, nid, "analist")


def test_merge_pass_joins_narratives_that_drifted_together(world):
    db, ids = world
    strict = NarrativeSettings(join_threshold=0.995, merge_threshold=0.995, min_background_items=20)
    narrative_runner.place_pending(db.sessions, strict)
    assert len(set(narrative_ids_of(db, ids["a"]).values())) > 1
    report = narrative_runner.merge_pass(db.sessions, SETTINGS, now=T0 + timedelta(days=1))
    assert report.merged >= 1
    with db.read_sessions() as s:
        open_ids = {n.id for n in views.list_narratives(s)}
        a_now = {nid for nid in narrative_ids_of(db, ids["a"]).values()}
        assert len(a_now) == 1 and a_now <= open_ids
        assert any(e.actor == "system" for e in audit.entries(s, action="narrative.merge"))
    assert narrative_runner.merge_pass(db.sessions, SETTINGS, now=T0 + timedelta(days=1)).merged == 0


def test_rebuild_places_everything_again(world):
    db, ids = world
    narrative_runner.place_pending(db.sessions, SETTINGS)
    before = narrative_ids_of(db, ids["a"] + ids["b"])
    report = narrative_runner.rebuild(db.sessions, SETTINGS, "cli:beheerder")
    assert report.placed == 9
    after = narrative_ids_of(db, ids["a"] + ids["b"])
    def partition(mapping):
        return sorted(sorted(i for i in mapping if mapping[i] == n) for n in set(mapping.values()))
    assert partition(after) == partition(before)  # deterministic: the same grouping again
    with db.read_sessions() as s:
        assert audit.entries(s, action="narrative.rebuild")[0].details == {"deleted": 2}
        assert s.scalar(select(func.count(Narrative.id))) == 2
        assert s.scalar(select(func.count(NarrativeItem.item_id))) == 9


def test_growth_views_rising_and_daily_counts(world):
    db, ids = world
    narrative_runner.place_pending(db.sessions, SETTINGS)
    a = narrative_ids_of(db, ids["a"][:1])[ids["a"][0]]
    b = narrative_ids_of(db, ids["b"][:1])[ids["b"][0]]
    now = T0 + timedelta(hours=6)
    with db.read_sessions() as s:
        rising = views.rising_narratives(s, now, hours=4, limit=5, min_items=2)
        counts = views.daily_counts(s, [a, b], T0 - timedelta(days=1))
        times = views.member_times(s, [a], T0 + timedelta(hours=3))
        topical = views.list_narratives(s, topic="wonen")
    assert [r.narrative.id for r in rising] == [a, b]
    assert (rising[0].recent, rising[0].previous) == (4, 2)  # hours 2..5 vs 0..1
    assert counts[a] == {T0.date(): 6} and counts[b] == {T0.date(): 3}
    assert len(times[a]) == 3
    assert [n.id for n in topical] == [b]
