"""The demo corpus: size, mix, spikes, fact-checks and the loader's validation."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict

import pytest

from waakhond.demo import CorpusError, load_corpus
from waakhond.demo.corpus import CORPUS_DIR, ITEM_MAX_AGE_HOURS, TOPICS

SPIKE_WINDOWS = {"A": (130.0, 138.0), "B": (300.0, 308.0)}
SPIKE_NARRATIVES = {"A": "onteigening-boeren", "B": "contant-geld-afgeschaft"}
DUTCH_RATINGS = {
    "Onwaar",
    "Niet waar",
    "Klopt niet",
    "Grotendeels onwaar",
    "Misleidend",
    "Half waar",
    "Onbewezen",
    "Waar",
    "Grotendeels waar",
}
ENGLISH_RATINGS = {"False", "Misleading", "Mostly false", "Half true", "True", "Mostly true", "Unproven"}
SOCIAL_SOURCES = {"de-dwarse-blog", "vrij-woord-forum", "het-wakkere-kanaal"}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_readme_says_it_is_constructed():
    text = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    assert "Constructed for the Waakhond demo: fictional outlets, fictional posts, not real news" in text


def test_sources_cover_all_formats_and_two_factcheckers(corpus):
    assert len(corpus.sources) >= 8
    assert {s.format for s in corpus.sources} == {"rss", "atom", "jsonfeed"}
    checkers = [s for s in corpus.sources if s.kind == "factcheck"]
    assert len(checkers) >= 2
    assert {s.language for s in checkers} >= {"nl", "en"}
    assert all(s.style and s.name and s.copy_title_prefix for s in corpus.sources)
    feed_formats = {s.format for s in corpus.sources if s.kind == "feed"}
    assert feed_formats == {"rss", "atom", "jsonfeed"}


def test_item_mix(corpus):
    kinds = Counter(item.kind for item in corpus.items)
    assert len(corpus.items) >= 420
    assert kinds["news"] + kinds["official"] >= 230
    assert kinds["opinion"] >= 70
    assert kinds["debunk"] >= 15
    assert kinds["narrative"] >= 90
    narratives = [i for i in corpus.items if i.kind == "narrative"]
    on_social = sum(1 for i in narratives if i.source in SOCIAL_SOURCES)
    assert on_social > len(narratives) / 2, "false narratives live mostly on blog, forum and channel"
    assert any(i.source == "regio-noordkwartier" for i in narratives), "some are quoted in regional news"
    assert {i.topic for i in corpus.items} == set(TOPICS)


def test_item_fields(corpus):
    assert all(re.fullmatch(r"d\d{4}", item.id) for item in corpus.items)
    for item in corpus.items:
        source = corpus.source(item.source)
        if source.full_text:
            assert 2 <= len(item.paragraphs) <= 5, item.id
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", item.summary) if s]
        assert 1 <= len(sentences) <= 4, item.id
        assert item.author.strip()


def test_ages_cover_thirty_days_with_a_daily_rhythm(corpus):
    ages = [item.age_hours for item in corpus.items]
    assert min(ages) >= 0 and max(ages) <= ITEM_MAX_AGE_HOURS
    per_day = Counter(int(age // 24) for age in ages)
    assert set(per_day) == set(range(30))
    # The ages assume an anchor around midday; few posts fall between 02:00 and 06:00.
    night = sum(1 for age in ages if 2 <= (12 - age) % 24 < 6)
    assert night < len(ages) * 0.05


@pytest.mark.parametrize("spike", ["A", "B"])
def test_spike_is_a_dense_burst_across_sources(corpus, spike):
    items = [i for i in corpus.items if i.spike == spike]
    assert len(items) >= 25
    ages = [i.age_hours for i in items]
    low, high = SPIKE_WINDOWS[spike]
    assert low <= min(ages) and max(ages) < high
    assert max(ages) - min(ages) <= 8.0
    assert len({i.source for i in items}) >= 4
    assert all(i.kind == "narrative" and i.narrative == SPIKE_NARRATIVES[spike] for i in items)
    assert len({i.title for i in items}) == len(items), "many phrasings, no repeated headline"


@pytest.mark.parametrize("spike", ["A", "B"])
def test_spike_narrative_has_only_a_thin_baseline(corpus, spike):
    low, high = SPIKE_WINDOWS[spike]
    narrative = SPIKE_NARRATIVES[spike]
    outside = sorted(
        i.age_hours
        for i in corpus.items
        if i.kind == "narrative" and i.narrative == narrative and not low <= i.age_hours < high
    )
    assert 3 <= len(outside) <= ITEM_MAX_AGE_HOURS / 72, "present, but at most once every few days"
    gaps = [b - a for a, b in zip(outside, outside[1:], strict=False)]
    assert min(gaps) >= 48
    in_window = sum(1 for i in corpus.items if i.spike == spike)
    assert in_window >= 10 * max(Counter(int(age // 8) for age in outside).values())


def test_other_narratives_are_scattered(corpus):
    counts = Counter(
        i.narrative
        for i in corpus.items
        if i.kind == "narrative" and i.narrative not in SPIKE_NARRATIVES.values()
    )
    assert len(counts) >= 7
    assert all(2 <= n <= 8 for n in counts.values())


def test_syndication(corpus):
    syndicated = [i for i in corpus.items if i.syndicated_to]
    assert 25 <= len(syndicated) <= 40
    assert all(1 <= len(i.syndicated_to) <= 2 for i in syndicated)


def test_no_sentence_is_shared_between_items(corpus):
    owners = defaultdict(set)
    for item in corpus.items:
        text = "\n".join([item.title, item.summary, item.body])
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
            sentence = sentence.strip().lower()
            if len(sentence.split()) >= 4:
                owners[sentence].add(item.id)
    shared = {s: ids for s, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_factchecks(corpus):
    fcs = corpus.factchecks
    assert len(fcs) >= 44
    assert sum(1 for f in fcs if f.language == "en") >= 10
    ages = [f.age_hours for f in fcs]
    assert max(ages) >= 8760 and sum(1 for a in ages if a <= 720) >= 5
    for fc in fcs:
        allowed = ENGLISH_RATINGS if fc.language == "en" else DUTCH_RATINGS
        assert fc.rating_text in allowed, fc.id
        assert corpus.source(fc.publisher).language == fc.language
        assert 2 <= len(fc.paragraphs) <= 4, fc.id
        assert fc.verdict.appearance and fc.verdict.claim_author
    assert any(f.rating_text in {"Waar", "True", "Grotendeels waar"} for f in fcs), "true claims too"
    variants = Counter(f.page_variant for f in fcs)
    assert variants["two_claims"] == variants["malformed_jsonld"] == variants["no_jsonld"] == 1


def test_factchecks_debunk_the_item_narratives(corpus):
    item_narratives = {i.narrative for i in corpus.items if i.kind == "narrative"}
    debunks = [f for f in corpus.factchecks if f.narrative]
    assert len(debunks) >= 16
    assert {f.narrative for f in debunks} == item_narratives
    for narrative in SPIKE_NARRATIVES.values():
        languages = [f.language for f in debunks if f.narrative == narrative]
        assert len(languages) >= 2 and {"nl", "en"} <= set(languages)
    item_sentences = {
        s.strip().lower() for i in corpus.items for s in re.split(r"(?<=[.!?])\s+", f"{i.title}. {i.summary}")
    }
    for fc in debunks:
        assert fc.claim_reviewed.strip().lower() not in item_sentences, fc.id


def _copy_corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, target)
    return target


def test_loader_rejects_a_dangling_source(tmp_path):
    folder = _copy_corpus(tmp_path)
    path = folder / "items.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[0]["source"] = "no-such-outlet"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no-such-outlet"):
        load_corpus(folder)


def test_loader_rejects_bad_syndication_and_ratings(tmp_path):
    folder = _copy_corpus(tmp_path)
    items = folder / "items.jsonl"
    rows = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    rows[1]["syndicated_to"] = [rows[1]["source"]]
    items.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    facts = folder / "factchecks.jsonl"
    fc_rows = [json.loads(line) for line in facts.read_text(encoding="utf-8").splitlines()]
    fc_rows[0]["rating_value"] = 99
    facts.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in fc_rows) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(folder)
    assert "syndicated" in str(caught.value) and "rating 99" in str(caught.value)


def test_loader_reports_the_line_of_broken_json(tmp_path):
    folder = _copy_corpus(tmp_path)
    with (folder / "factchecks.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    with pytest.raises(CorpusError, match=r"factchecks.jsonl line \d+"):
        load_corpus(folder)
