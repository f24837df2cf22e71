"""The shipped data files of the classifier: seed set, policy topics, the claim-matching pair
set, and the guidance links (shipped by storage, ``storage/data/guidance.toml``, checked here
against the policy topics). Fast checks of schema, counts and integrity; no model needed."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

# Located from this file, not from the classifier package, so the test does not depend on it.
DATA = Path(__file__).resolve().parents[2] / "classifier" / "data"
SEED = DATA / "seed" / "seed_nl.csv"
TOPICS = DATA / "policy_topics.toml"
GUIDANCE = DATA.parents[1] / "storage" / "data" / "guidance.toml"
CLAIMS = DATA / "claims" / "claims.jsonl"
PAIRS = DATA / "claims" / "pairs.jsonl"

SEED_COLUMNS = ["id", "text", "label", "topic", "narrative", "kind", "split"]
NEGATIVE_KINDS = {"news", "opinion", "debunk", "announcement"}
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VALIDATION_SHARE = (0.15, 0.25)
CLAIM_LANGUAGE_SHARE = {"nl": (0.50, 0.60), "en": (0.25, 0.35), "fr": (0.06, 0.14), "de": (0.03, 0.08)}
RATINGS = {"false", "mostly_false", "mixed", "misleading", "missing_context", "mostly_true", "true"}


@cache
def seed_rows() -> tuple[dict, ...]:
    with SEED.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == SEED_COLUMNS
        return tuple(reader)


@cache
def topic_slugs() -> tuple[str, ...]:
    data = tomllib.loads(TOPICS.read_text(encoding="utf-8"))
    return tuple(t["slug"] for t in data["topic"])


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def words(text: str) -> int:
    return len(text.split())


# ----------------------------------------------------------------------------- seed set
def test_seed_rows_have_valid_values():
    slugs = set(topic_slugs())
    ids = [r["id"] for r in seed_rows()]
    assert len(ids) == len(set(ids))
    for r in seed_rows():
        assert r["text"].strip() == r["text"] and r["text"], r["id"]
        assert r["label"] in ("0", "1"), r["id"]
        assert r["topic"] in slugs, (r["id"], r["topic"])
        assert r["split"] in ("train", "validation"), r["id"]
        if r["label"] == "1":
            assert r["kind"] == "narrative", r["id"]
            assert KEBAB.match(r["narrative"]), (r["id"], r["narrative"])
        else:
            assert r["kind"] in NEGATIVE_KINDS, r["id"]
            assert r["narrative"] == "", r["id"]


def test_seed_counts():
    rows = seed_rows()
    labels = Counter(r["label"] for r in rows)
    kinds = Counter(r["kind"] for r in rows)
    assert len(rows) >= 650
    assert labels["1"] >= 280
    assert labels["0"] >= 370
    assert kinds["opinion"] >= 60
    assert kinds["debunk"] >= 30
    assert kinds["news"] >= 60 and kinds["announcement"] >= 20


def test_every_topic_has_positives_and_negatives():
    per_topic = defaultdict(Counter)
    for r in seed_rows():
        per_topic[r["topic"]][r["label"]] += 1
    assert set(per_topic) == set(topic_slugs())
    for slug, counts in per_topic.items():
        assert counts["1"] >= 12 and counts["0"] >= 20, (slug, counts)


def test_seed_text_lengths():
    lengths = [words(r["text"]) for r in seed_rows()]
    assert min(lengths) >= 8 and max(lengths) <= 160
    long_share = sum(n >= 80 for n in lengths) / len(lengths)
    assert 0.10 <= long_share <= 0.25, long_share


def test_no_duplicate_texts_and_no_leak_between_splits():
    texts = [r["text"] for r in seed_rows()]
    assert len(texts) == len(set(texts))
    normalised = defaultdict(set)
    for r in seed_rows():
        normalised[" ".join(r["text"].lower().split())].add(r["split"])
    assert all(len(splits) == 1 for splits in normalised.values())


def test_validation_share_and_stratification():
    rows = seed_rows()
    share = sum(r["split"] == "validation" for r in rows) / len(rows)
    assert VALIDATION_SHARE[0] <= share <= VALIDATION_SHARE[1], share
    for label in ("0", "1"):
        part = [r for r in rows if r["label"] == label]
        label_share = sum(r["split"] == "validation" for r in part) / len(part)
        assert VALIDATION_SHARE[0] <= label_share <= VALIDATION_SHARE[1], (label, label_share)
    for slug in topic_slugs():
        in_validation = Counter(r["label"] for r in rows if r["topic"] == slug and r["split"] == "validation")
        assert in_validation["0"] >= 1 and in_validation["1"] >= 1, slug


def test_narratives_have_enough_phrasings_and_some_in_validation():
    by_narrative = defaultdict(list)
    for r in seed_rows():
        if r["label"] == "1":
            by_narrative[r["narrative"]].append(r)
    assert len(by_narrative) >= 30
    held_out = []
    for name, rows in by_narrative.items():
        assert len(rows) >= 6, (name, len(rows))
        assert len({r["topic"] for r in rows}) == 1, name
        splits = Counter(r["split"] for r in rows)
        assert splits["validation"] >= 1, name
        if splits["train"] == 0:
            held_out.append(name)
    # a few narratives are held out entirely; the README names them
    assert 1 <= len(held_out) <= 5, held_out
    readme = (SEED.parent / "README.md").read_text(encoding="utf-8")
    for name in held_out:
        assert name in readme, name


def test_seed_readme_states_constructed_data_and_current_counts():
    readme = (SEED.parent / "README.md").read_text(encoding="utf-8")
    assert "Constructed data, written for the Waakhond project; not real posts" in readme
    assert f"| **total** | **{len(seed_rows())}**" in readme


# ----------------------------------------------------------------------------- topics
def test_policy_topics_schema():
    data = tomllib.loads(TOPICS.read_text(encoding="utf-8"))
    topics = data["topic"]
    slugs = [t["slug"] for t in topics]
    assert len(topics) == 12 and len(set(slugs)) == 12
    for t in topics:
        assert KEBAB.match(t["slug"]), t["slug"]
        for key in ("name", "name_en", "description", "ministry"):
            assert isinstance(t[key], str) and t[key].strip(), (t["slug"], key)
        assert 20 <= len(t["keywords"]) <= 40, (t["slug"], len(t["keywords"]))
        assert len(set(t["keywords"])) == len(t["keywords"]), t["slug"]
        assert all(k == k.lower() and k.strip() == k and len(k) >= 3 for k in t["keywords"]), t["slug"]
        assert t["priority"] in (1, 2, 3), t["slug"]
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", t["description"].strip()) if s]
        assert 2 <= len(sentences) <= 4, (t["slug"], len(sentences))
        assert t["ministry"].startswith("Ministerie van "), t["slug"]


# ----------------------------------------------------------------------------- guidance
def test_guidance_covers_every_topic_and_the_general_link():
    data = tomllib.loads(GUIDANCE.read_text(encoding="utf-8"))
    general = data["general"]
    assert general["url"] == "https://www.isdatechtzo.nl/"
    assert general["title"] and general["description"]
    assert set(data["topics"]) == set(topic_slugs())
    for slug, entry in data["topics"].items():
        assert entry["title"].strip(), slug
        assert entry["url"].startswith("https://www.rijksoverheid.nl/onderwerpen/"), slug
        assert isinstance(entry["verified"], bool), slug


def test_guidance_urls_are_https():
    text = GUIDANCE.read_text(encoding="utf-8")
    urls = re.findall(r'^\s*url\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    assert len(urls) == 13
    assert all(u.startswith("https://") for u in urls), urls


def test_unverified_guidance_links_are_marked_in_a_comment():
    for line in GUIDANCE.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s*verified\s*=\s*false", line):
            assert "# unverified" in line, line


# ----------------------------------------------------------------------------- claims and pairs
def test_claims_schema_and_language_mix():
    claims = jsonl(CLAIMS)
    assert len(claims) >= 120
    ids = [c["claim_id"] for c in claims]
    assert len(ids) == len(set(ids))
    texts = [c["text"] for c in claims]
    assert len(texts) == len(set(texts))
    slugs = set(topic_slugs())
    for c in claims:
        assert re.fullmatch(r"c\d{3,}", c["claim_id"]), c
        assert c.get("id", c["claim_id"]) == c["claim_id"], c  # alias read by classifier.matching.calibration
        assert c["language"] in CLAIM_LANGUAGE_SHARE, c
        assert c["topic"] in slugs, c
        assert c["rating"] in RATINGS, c
        assert c["text"].strip(), c
    languages = Counter(c["language"] for c in claims)
    for language, (low, high) in CLAIM_LANGUAGE_SHARE.items():
        assert low <= languages[language] / len(claims) <= high, (language, languages)
    per_topic = Counter(c["topic"] for c in claims)
    assert set(per_topic) == slugs and min(per_topic.values()) >= 5, per_topic


def test_pairs_counts_and_referential_integrity():
    claims = {c["claim_id"]: c for c in jsonl(CLAIMS)}
    pairs = jsonl(PAIRS)
    assert len(pairs) >= 340
    pair_ids = [p["pair_id"] for p in pairs]
    assert len(pair_ids) == len(set(pair_ids))
    for p in pairs:
        assert set(p) - {"stance"} == {"pair_id", "sentence", "claim_id", "label"}, p
        assert p.get("stance", "carries") in ("carries", "debunk"), p  # debunk: an article quoting the claim
        assert p["claim_id"] in claims, p
        assert p["label"] in (0, 1), p
        assert p["sentence"].strip(), p
    positives = [p for p in pairs if p["label"] == 1]
    negatives = [p for p in pairs if p["label"] == 0]
    assert len(positives) >= 170 and len(negatives) >= 170
    cross_lingual = [p for p in positives if claims[p["claim_id"]]["language"] != "nl"]
    assert len(cross_lingual) >= 60
    per_claim = Counter(p["claim_id"] for p in positives)
    # 1-3 sentences written for a claim, plus those of its twins (the same claim checked twice)
    assert all(1 <= n <= 6 for n in per_claim.values()), per_claim.most_common(3)
    assert len(per_claim) >= 100


def test_pairs_are_consistent():
    claims = {c["claim_id"]: c for c in jsonl(CLAIMS)}
    pairs = jsonl(PAIRS)
    positive_claims: dict[str, set[str]] = {}
    stances: dict[str, set[str]] = {}
    for p in pairs:
        if p["label"] == 1:
            positive_claims.setdefault(p["sentence"], set()).add(p["claim_id"])
            stances.setdefault(p["sentence"], set()).add(p.get("stance", "carries"))
    for sentence, own in positive_claims.items():
        # a sentence carries one claim, or the same claim as two fact-checks state it: one topic
        assert len({claims[c]["topic"] for c in own}) == 1, (sentence, own)
        assert len(stances[sentence]) == 1, sentence  # a debunk quote is one for all its claims
    seen = set()
    for p in pairs:
        key = (p["sentence"], p["claim_id"])
        assert key not in seen, p
        seen.add(key)
        if p["label"] == 0:
            own = positive_claims.get(p["sentence"], set())
            assert p["claim_id"] not in own, p
            # a negative is a different claim on the same topic as the sentence's own claim
            if own:
                assert {claims[c]["topic"] for c in own} == {claims[p["claim_id"]]["topic"]}, p


@pytest.mark.parametrize("readme", [SEED.parent / "README.md", CLAIMS.parent / "README.md"])
def test_readmes_mark_the_data_as_constructed(readme: Path):
    assert "constructed" in readme.read_text(encoding="utf-8").lower()
