"""The disinformation signal's data and figures: loaders (real data skips without
../shared/data), attribution augmentation, the per-source report, the narrative reference."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.narratives.reference import NarrativeReference, NarrativeReferenceError, build_reference
from classifier.training import real_data
from classifier.training.signal_metrics import flag_rates_by_kind, source_report
from classifier.training.signal_training import (
    attribution_variants,
    recipe_examples,
    source_weight,
    strip_attribution,
)
from classifier.training.train import Example


def test_the_criticism_test_set_is_large_varied_and_never_in_the_training_data() -> None:
    items = real_data.criticism_items()
    legit = [i for i in items if i.kind in real_data.CRITICISM_KINDS]
    assert len(legit) >= 150 and len({i.topic for i in legit}) == 12
    assert {i.kind for i in items} == {*real_data.CRITICISM_KINDS, "news_bare", "news_attributed", "offtopic_hoax"}
    bare = [i.text for i in items if i.kind == "news_bare"]
    attributed = [i.text for i in items if i.kind == "news_attributed"]
    assert len(bare) == len(attributed) and all(a.startswith(b[:-1] + ", ") for b, a in zip(bare, attributed, strict=True))
    assert all("satire" in i.text.lower() for i in items if i.kind == "satire")
    training = {e.text for e in real_data.project_examples()}
    assert not training & {i.text for i in items}


def _words(text: str) -> set[str]:
    import re

    return set(re.findall(r"\w+", text.lower()))


def test_the_second_written_negatives_are_no_near_copies_of_the_criticism_test_set() -> None:
    """hard_negatives_train_v2.jsonl may be trained on only because no line of it is a copy or a
    near-copy of a test line: word overlap (Jaccard) under 0.3 against every test line."""
    rows = real_data.hard_negative_v2_examples()
    assert len(rows) >= 200 and {e.label for e in rows} == {0}
    assert {e.origin for e in rows} == {"hard_negatives_v2", "hard_news_v2"}
    assert len({e.text for e in rows}) == len(rows)
    tests = [_words(i.text) for i in real_data.criticism_items()]
    worst = max(len(_words(e.text) & t) / len(_words(e.text) | t) for e in rows for t in tests)
    assert worst < 0.3
    v2 = {e.text for e in real_data.project_examples(v2=True)} - {e.text for e in real_data.project_examples()}
    assert v2 == {e.text for e in rows}  # only recipe real2 reads it


def test_project_sources_have_the_labels_and_groups_the_bench_holds_out_by() -> None:
    examples = real_data.project_examples()
    by_source = {}
    for e in examples:
        by_source.setdefault(e.origin, set()).add(e.label)
    assert by_source == {"seed_narrative": {1}, "claims_false": {1}, "seed_news": {0}, "seed_opinion": {0},
                         "background_news": {0}, "hard_negatives": {0}}
    assert all(e.group.startswith("narrative:") for e in examples if e.origin == "seed_narrative")
    assert all(e.group.startswith("claim:") for e in examples if e.origin == "claims_false")


def test_shared_data_sources_load_with_their_documented_labels(shared_dir) -> None:
    data = shared_dir / "data"
    examples = real_data.shared_examples(data)
    counts = {name: sum(e.origin == name for e in examples) for name in ("euvsdisinfo", "factrank_2019", "factrank_2017", "checkthat_clean")}
    # README of ../shared/data: EUvsDisinfo dev 178; FactRank 2019 dev FNR 955 + NF 797; 2017 NFS 976 + UFS 105; CheckThat! No 599
    assert counts == {"euvsdisinfo": 178, "factrank_2019": 1752, "factrank_2017": 1081, "checkthat_clean": 599}
    assert {e.label for e in examples if e.origin == "euvsdisinfo"} == {1}
    assert any(e.group.startswith("euvsdisinfo:MH17:") for e in examples if e.origin == "euvsdisinfo")
    digests = real_data.file_digests(data)
    assert {d["file"] for d in digests} >= {f"../shared/data/{f}" for f in real_data.SHARED_FILES}
    assert "t_stripped" not in " ".join(d["file"] for d in digests)  # the damaged file is kept out


def test_a_recipe_on_real_data_refuses_to_run_without_the_shared_folder(tmp_path) -> None:
    with pytest.raises(real_data.SharedDataMissing):
        recipe_examples("real", tmp_path / "absent")
    with pytest.raises(ValueError, match="unknown recipe"):
        recipe_examples("everything", None)
    assert {e.origin for e in recipe_examples("seed", None)} == {"seed_narrative", "seed_news", "seed_opinion"}


def test_attribution_augmentation_goes_both_ways_and_keeps_labels() -> None:
    assert strip_attribution("De huur stijgt met 3 procent, meldt het ministerie.") == "De huur stijgt met 3 procent."
    assert strip_attribution("De huur stijgt met 3 procent.") is None
    rows = [
        Example("De huur stijgt met 3 procent, meldt het ministerie.", 0, origin="seed_news"),
        Example("De gemeente opent een opvanglocatie.", 0, origin="background_news"),
        Example("Het kabinet schaft in stilte contant geld af.", 1, origin="seed_narrative", group="narrative:x"),
        Example("Een tweet over corona.", 0, origin="checkthat_clean"),
        Example("MH17 was shot down by Ukraine", 1, origin="euvsdisinfo"),  # English: not augmented
    ]
    variants = attribution_variants(rows)
    assert [v.origin for v in variants] == ["seed_news+attribution", "background_news+attribution", "seed_narrative+attribution"]
    assert variants[0].text == "De huur stijgt met 3 procent." and variants[0].label == 0
    assert variants[1].text.startswith("De gemeente opent een opvanglocatie, ") and variants[1].label == 0
    assert variants[2].label == 1 and variants[2].group == "narrative:x" and "contant geld" in variants[2].text
    assert attribution_variants(rows) == variants  # deterministic
    assert [source_weight(e) for e in rows + variants] == [1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0]


def test_source_report_gives_recall_per_positive_source_and_flag_rates_per_negative_source() -> None:
    sources = ["pos_a", "pos_a", "pos_b", "real_neg", "real_neg", "real_neg", "own_neg"]
    labels = [1, 1, 1, 0, 0, 0, 0]
    probs = [0.9, 0.4, 0.8, 0.1, 0.6, 0.2, 0.7]
    report = source_report(sources, labels, probs, 0.5, real_negative_sources=["real_neg"])
    assert report["sources"]["pos_a"]["recall"] == 0.5 and report["sources"]["pos_b"]["recall"] == 1.0
    assert report["sources"]["real_neg"]["flag_rate"] == round(1 / 3, 4)
    overall = report["overall"]  # without own_neg: tp 2, fp 1
    assert overall["precision"] == round(2 / 3, 4) and overall["recall"] == round(2 / 3, 4) and overall["n"] == 6
    assert report["overall_with_constructed"]["confusion"] == {"tp": 2, "fp": 2, "fn": 1, "tn": 2}
    assert report["sources"]["pos_a"]["roc_auc_vs_real_negatives"] == round(5 / 6, 4)
    ruled = source_report(sources, labels, probs, 0.5, real_negative_sources=["real_neg"], flagged=[False] * 7)
    assert ruled["overall"]["recall"] == 0.0 and ruled["overall"]["roc_auc"] == overall["roc_auc"]
    tests = flag_rates_by_kind(["criticism", "satire", "news_bare", "criticism"], [True, False, True, False], ["criticism", "satire"])
    assert tests["criticism_all"] == {"n": 3, "flag_rate": round(1 / 3, 4)} and tests["news_bare"]["flag_rate"] == 1.0


def _embed(texts):
    """Three orthogonal 'narratives' and a noise direction: a stand-in encoder."""
    basis = {"a": 0, "b": 1, "c": 2}
    rows = []
    for text in texts:
        v = np.zeros(4)
        v[basis.get(text[0], 3)] = 1.0
        v[3] += 0.1 * len(text) % 0.3
        rows.append(v / np.linalg.norm(v))
    return np.array(rows, dtype=np.float32)


def test_the_narrative_reference_names_the_nearest_known_narrative_and_round_trips(tmp_path) -> None:
    examples = (
        [Example(f"a{i}", 1, origin="seed_narrative", group="narrative:alpha") for i in range(4)]
        + [Example("b claim", 1, origin="claims_false", group="claim:c1"), Example("b other", 1, origin="euvsdisinfo")]
        + [Example(f"z{i}" * (i + 1), 0, origin="factrank_2019") for i in range(6)]
    )
    reference = build_reference(examples, _embed, "fp")
    assert reference.names == ("alpha", "b claim")  # EUvsDisinfo rows are never stored
    hit = reference.nearest(_embed(["a new phrasing"]))[0]
    assert hit.name == "alpha" and hit.similarity > 0.9 and hit.score > reference.nearest(_embed(["zzz"]))[0].score
    reference.save(tmp_path)
    loaded = NarrativeReference.load(tmp_path, "fp")
    assert loaded.names == reference.names and np.allclose(loaded.vectors, reference.vectors)
    assert loaded.threshold == reference.threshold
    with pytest.raises(NarrativeReferenceError, match="another encoder"):
        NarrativeReference.load(tmp_path, "other")
    assert NarrativeReference.load(tmp_path / "none") is None
