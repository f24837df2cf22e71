"""The pure parts of two-stage claim matching: pair features, the stance of a quote, the flag
decision, the stage-two model's file and scoring, and training on a small constructed set."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.matching import (
    Matcher,
    StageTwoError,
    load_matcher,
    load_pair_set,
    load_stage_two,
    match_batch,
    write_stage_two,
)
from classifier.matching.features import (
    FEATURE_NAMES,
    CandidateInput,
    LanguageCentres,
    candidate_features,
    has_negation,
    number_agreement,
    numbers,
)
from classifier.matching.retrieval import ClaimIndex
from classifier.matching.signal import SignalUpdate, claim_signal, language_pair, updated_signal
from classifier.matching.stance import debunk_cue, item_stance
from classifier.matching.training import (
    build_corpus,
    claim_groups,
    fit_model,
    held_out_decisions,
    raw_cosine_decisions,
)
from classifier.settings import ClassifierSettings
from storage.repositories.claim_matches import MatchView
from tests.conftest import REPO_ROOT


# ----------------------------------------------------------------------------- features
def test_numbers_are_read_as_digits_and_as_dutch_words():
    assert numbers("Meer dan 2.000 euro per maand") == {"2000"}
    assert numbers("tweeduizend euro en vijftig procent") == {"2000", "50"}
    assert number_agreement("de AOW gaat naar 72", "De AOW-leeftijd gaat naar 75 jaar.") == -1.0
    assert number_agreement("de AOW gaat naar tweeënzeventig", "De AOW-leeftijd gaat naar 72 jaar.") == 1.0
    assert number_agreement("de AOW gaat omhoog", "De AOW-leeftijd gaat naar 72 jaar.") == 0.0
    assert has_negation("Dat klopt niet") and has_negation("There is no plan") and not has_negation("Het klopt")


def test_candidate_features_language_numbers_words_and_names():
    rows = candidate_features([
        CandidateInput(0.9, 0.95, True, "Het RIVM zegt 500 euro", "Het RIVM geeft 500 euro."),
        CandidateInput(0.8, 0.85, False, "Het RIVM zegt 500 euro", "The RIVM pays 300 euros."),
        CandidateInput(0.5, 0.70, True, "Het RIVM zegt 500 euro", "Iets anders."),
    ])
    f = {name: rows[:, i] for i, name in enumerate(FEATURE_NAMES)}
    assert rows.shape == (3, len(FEATURE_NAMES))
    assert f["rank"].tolist() == [0.0, 1.0, 2.0]
    assert f["same_language"].tolist() == [1.0, 0.0, 1.0]
    assert f["numbers"].tolist() == [1.0, -1.0, 0.0]
    assert f["shared_names"].tolist() == [1.0, 1.0, 0.0]
    assert f["raw_gap_same_language"].tolist() == pytest.approx([0.0, 0.0, -0.25])
    assert candidate_features([]).shape == (0, len(FEATURE_NAMES))


def test_language_centres_centre_and_find_the_nearest_language():
    centres = LanguageCentres(("en", "nl"), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32))
    centred, norms = centres.centre(np.array([[1.0, 0.0, 1.0]], dtype=np.float32), [0])
    assert centred.tolist() == [[0.0, 0.0, 1.0]] and norms.tolist() == [1.0]
    assert centres.index_of("nl-NL") == 1 and centres.index_of(None, np.array([0.9, 0.1, 0.0])) == 0
    assert LanguageCentres.from_json(centres.to_json()).languages == ("en", "nl")
    # the index gives back the encoder's own vectors of centred claims
    vectors = np.array([[0.6, 0.8, 0.0], [0.0, 0.6, 0.8]], dtype=np.float32)
    index = ClaimIndex.build([1, 2], ["false", "false"], vectors, texts=["a", "b"], languages=["en", None],
                             centres=centres)
    assert index.languages == ("en", "nl")
    assert np.allclose(index.raw_rows([0, 1]), vectors, atol=1e-6)


# ----------------------------------------------------------------------------- stance
def test_debunking_language_around_the_quote_makes_a_debunk():
    sentences = ["Op sociale media gaat rond dat boeren worden onteigend.", "Dat klopt niet, zegt het ministerie.",
                 "Het weer blijft goed."]
    assert item_stance("Boeren", sentences, 0, "feed").debunk is True
    assert item_stance("Boeren", sentences, 0, "feed").cue == "klopt niet"
    assert item_stance("Nee, contant geld verdwijnt niet", ["Contant geld verdwijnt op 1 januari."], 0, "feed").debunk
    assert item_stance("Leest de overheid mee? Nee", ["De overheid leest je WhatsApp mee."], 0, "feed").debunk
    assert item_stance("Alles over de regel", ["Boeren worden onteigend."], 0, "factcheck").cue == "source"
    # a post that carries the claim, even one asking a question and answering it itself
    assert item_stance("Deel dit!", ["Boeren worden onteigend voor asielzoekers."], 0, "feed").debunk is False
    assert item_stance("Groene vinkjes? Nee, blauwe vinkjes van de geheime dienst", ["Je wordt gevolgd."], 0,
                       "feed").debunk is False
    # far from the quote, the debunking words say nothing about it
    far = ["Boeren worden onteigend.", "Een.", "Twee.", "Dat klopt niet."]
    assert item_stance("Boeren", far, 0, "feed").debunk is False
    assert debunk_cue("There is NO EVIDENCE for it") == "no evidence" and debunk_cue("") is None


# ----------------------------------------------------------------------------- the flag decision
def _view(**kw) -> MatchView:
    base = dict(item_id=1, fact_check_id=7, similarity=0.93, sentence="Boeren worden onteigend.",
                sentence_start=0, sentence_end=24, claim="Farmers are expropriated.", rating="false",
                rating_text="Onwaar", publisher="Checkers", url="https://c.example/1", language="en",
                published_at=None, score=0.97, debunk=False, debunk_cue=None, item_language="nl")
    return MatchView(**{**base, **kw})


def test_a_spreading_match_with_support_raises_the_flag_and_fills_the_part():
    signal = claim_signal([_view()], classifier_score=0.4, threshold=0.8, support_min_score=0.15)
    assert signal.raised is True
    assert signal.part == {"score": 0.97, "threshold": 0.8, "fact_check_id": 7, "claim": "Farmers are expropriated.",
                           "rating": "Onwaar", "rating_normalised": "false", "languages": "nl-en", "debunk": False,
                           "sentence": "Boeren worden onteigend.", "similarity": 0.93}


@pytest.mark.parametrize("change, score", [
    ({"debunk": True}, 0.4),  # a debunk article quoting the claim
    ({"rating": "true"}, 0.4),  # the fact-check found the claim true
    ({"score": 0.7}, 0.4),  # under the stage-two threshold
    ({"score": None}, 0.4),  # stored before the second stage
    ({}, 0.1),  # the classifier does not support it
])
def test_what_does_not_raise_the_flag(change, score):
    signal = claim_signal([_view(**change)], classifier_score=score, threshold=0.8, support_min_score=0.15)
    assert signal.raised is False and signal.part is not None and signal.part["fact_check_id"] == 7


def test_the_part_shows_the_raising_match_before_a_stronger_debunk_and_none_without_matches():
    debunk = _view(fact_check_id=8, score=0.99, debunk=True)
    signal = claim_signal([debunk, _view()], classifier_score=0.5, threshold=0.8, support_min_score=0.15)
    assert signal.raised and signal.part["fact_check_id"] == 7
    assert claim_signal([debunk], 0.5, 0.8, 0.15).part["debunk"] is True
    assert claim_signal([], 0.9, 0.8, 0.15).part is None
    assert language_pair(None, "FR") == "?-fr"


def test_a_debunk_of_a_false_claim_holds_back_the_classifiers_flag_and_a_spreading_match_does_not():
    debunk = _view(fact_check_id=8, score=0.6, debunk=True)
    held = claim_signal([debunk], classifier_score=0.9, threshold=0.8, support_min_score=0.15)
    assert held.held_back and not held.raised and held.part["fact_check_id"] == 8 and held.part["debunk"]
    assert not claim_signal([debunk, _view()], 0.9, 0.8, 0.15).held_back  # it also spreads a claim
    assert not claim_signal([_view(debunk=True, rating="true")], 0.9, 0.8, 0.15).held_back  # a true claim
    assert not claim_signal([_view(score=0.6)], 0.9, 0.8, 0.15).held_back  # no debunk: nothing to hold


def test_a_hold_empties_the_flag_says_why_and_a_later_decision_gives_it_back_exactly():
    parts = {"rule": "parts-v1", "flagged_by": ["head", "narrative"], "head": {"score": 0.9, "threshold": 0.4}}
    debunk = claim_signal([_view(score=0.6, debunk=True)], 0.9, 0.8, 0.15)
    held = updated_signal(["classifier"], parts, debunk)
    assert (held.reasons, held.flagged) == ([], False)
    assert held.parts["flagged_by"] == [] and held.parts["held_back_by"] == ["claim_match"]
    assert held.parts["flagged_by_before_hold"] == ["head", "narrative"] and held.parts["claim_match"]["debunk"]
    assert parts["flagged_by"] == ["head", "narrative"]  # pure: the caller's row is not changed
    assert updated_signal(held.reasons, held.parts, debunk) == held  # deciding again changes nothing
    released = updated_signal(held.reasons, held.parts, claim_signal([], 0.9, 0.8, 0.15))
    assert (released.reasons, released.flagged, released.parts) == (["classifier"], True, parts)
    spreading = updated_signal(held.reasons, held.parts, claim_signal([_view()], 0.9, 0.8, 0.15))
    assert spreading.reasons == ["classifier", "claim_match"] and spreading.flagged
    assert spreading.parts["flagged_by"] == ["head", "narrative", "claim_match"] and "held_back_by" not in spreading.parts


def test_a_hold_keeps_the_classifiers_own_gates_and_an_unflagged_item_has_nothing_to_hold():
    gated = {"rule": "parts-v1", "flagged_by": [], "held_back_by": ["topic"]}
    debunk = claim_signal([_view(score=0.6, debunk=True)], 0.9, 0.8, 0.15)
    quiet = updated_signal([], gated, debunk)
    assert (quiet.reasons, quiet.flagged, quiet.parts["held_back_by"]) == ([], False, ["topic"])
    held = updated_signal(["classifier"], {"rule": "parts-v1", "flagged_by": ["head"], "held_back_by": ["topic"]}, debunk)
    assert held.parts["held_back_by"] == ["topic", "claim_match"]
    released = updated_signal(held.reasons, held.parts, claim_signal([], 0.9, 0.8, 0.15))
    assert released.parts["held_back_by"] == ["topic"] and released.reasons == ["classifier"]


def test_a_row_scored_before_the_parts_gets_them_with_its_first_match():
    update = updated_signal(["classifier"], None, claim_signal([_view()], 0.9, 0.8, 0.15))
    assert update.parts["rule"] == "parts-v1" and update.parts["flagged_by"] == ["head", "claim_match"]
    assert update.reasons == ["classifier", "claim_match"]
    assert updated_signal([], None, claim_signal([], 0.2, 0.8, 0.15)) == SignalUpdate([], False, None)


# ----------------------------------------------------------------------------- model and training
def _tmp_pair_set(tmp_path):
    """Four meanings, each a claim (two in English) and sentences; the encoding is the meaning's
    one-hot plus a language direction and a little noise by text."""
    meanings = ["cash", "boeren", "stembus", "huur", "gas", "vaccin"]
    languages = ["en", "nl", "en", "nl", "nl", "en"]
    claims = [{"id": m, "text": f"{m} claim", "language": lang} for m, lang in zip(meanings, languages, strict=True)]
    pairs = [{"sentence": f"{m} zin {i}", "claim_id": m, "label": 1} for m in meanings for i in range(3)]
    pairs += [{"sentence": f"{m} zin 0", "claim_id": o, "label": 0} for m in meanings for o in meanings if o != m]
    (tmp_path / "claims.jsonl").write_text("\n".join(json.dumps(c) for c in claims) + "\n")
    (tmp_path / "pairs.jsonl").write_text("\n".join(json.dumps(p) for p in pairs) + "\n")
    language_of = {f"{m} claim": lang for m, lang in zip(meanings, languages, strict=True)}

    def encode(texts):
        vectors = np.zeros((len(texts), len(meanings) + 3), dtype=np.float32)
        for row, text in enumerate(texts):
            word = text.split()[0]
            if word in meanings:
                vectors[row, meanings.index(word)] = 1.0
            vectors[row, -3] = 0.9 if language_of.get(text) == "en" else 0.0  # the language offset
            vectors[row, -2] = 0.6  # what all texts share
            vectors[row, -1] = 0.05 * (sum(map(ord, text)) % 7)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return load_pair_set(tmp_path / "claims.jsonl", tmp_path / "pairs.jsonl"), encode


def test_stage_two_learns_the_claims_held_out_and_round_trips_its_file(tmp_path):
    pair_set, encode = _tmp_pair_set(tmp_path)
    background = ["weer morgen zonnig", "de trein rijdt weer"]
    corpus = build_corpus(pair_set, encode, background, split=lambda t: [t])
    held_out = held_out_decisions(corpus, k=4, encoder_fingerprint="enc")
    best = {}
    for d in held_out:
        if d.unit not in best or d.probability > best[d.unit].probability:
            best[d.unit] = d
    positives = [u for u, unit in enumerate(corpus.units) if unit.positives]
    assert sum(best[u].claim in corpus.units[u].positives for u in positives) / len(positives) >= 0.9
    assert len(raw_cosine_decisions(corpus, k=4)) == 4 * len(corpus.units)
    model = fit_model(corpus, list(range(len(corpus.units))), np.arange(len(pair_set.claims)), 4, 0.6, "enc")
    write_stage_two(model, tmp_path / "models")
    loaded = load_stage_two(tmp_path / "models", "enc")
    assert loaded.threshold == pytest.approx(0.6) and loaded.centres.languages == ("en", "nl")
    features = np.random.default_rng(0).random((4, len(FEATURE_NAMES)))
    assert np.allclose(loaded.probabilities(features), model.probabilities(features), atol=1e-4)
    with pytest.raises(StageTwoError, match="trained for encoder enc"):
        load_stage_two(tmp_path / "models", "another")
    with pytest.raises(StageTwoError, match="no claim-matching stage-two model"):
        load_stage_two(tmp_path / "nowhere")
    # In service: the matcher finds each sentence's claim among all of them.
    matcher = load_matcher(ClassifierSettings(match_top_k=2), tmp_path / "models", "enc")
    assert (matcher.stages, matcher.threshold, matcher.candidates) == (2, pytest.approx(0.6), 10)
    claims = [c.text for c in pair_set.claims]
    index = matcher.build_index(list(range(len(claims))), ["false"] * len(claims),
                                [v.astype("<f4").tobytes() for v in encode(claims)], claims,
                                [c.language for c in pair_set.claims])
    sentences = [["het weer", "boeren zin 1"], ["cash zin 2"]]
    [first, second] = match_batch(matcher, index, sentences, [encode(s) for s in sentences], ["nl", None])
    assert [(m.fact_check_id, m.sentence_index) for m in first[:1]] == [(1, 1)]
    assert [m.fact_check_id for m in second[:1]] == [0] and second[0].claim_language == "en"
    assert all(m.score >= matcher.threshold for m in first + second)


def test_claims_one_sentence_carries_together_share_a_group_so_they_share_a_fold():
    groups = claim_groups(6, [frozenset({4, 1}), frozenset(), frozenset({2}), frozenset({1, 5})])
    assert groups.tolist() == [0, 1, 2, 3, 1, 1]  # 1, 4 and 5 through sentences 0 and 3


def test_no_claim_has_pairs_on_both_sides_of_a_split_even_when_a_sentence_carries_two(tmp_path):
    _, encode = _tmp_pair_set(tmp_path)
    with (tmp_path / "pairs.jsonl").open("a") as pairs:  # the same sentence carries two claims
        for meaning in ("boeren", "huur", "gas", "vaccin"):
            pairs.write(json.dumps({"sentence": "cash zin 1", "claim_id": meaning, "label": 1}) + "\n")
    pair_set = load_pair_set(tmp_path / "claims.jsonl", tmp_path / "pairs.jsonl")
    corpus = build_corpus(pair_set, encode, [], split=lambda t: [t])
    assert max(len(u.positives) for u in corpus.units) == 5
    for n, unit in enumerate(corpus.units):
        assert {int(corpus.claim_folds[c]) for c in unit.positives} <= {int(corpus.unit_folds[n])}


def test_single_stage_when_a_cosine_threshold_is_set():
    matcher = load_matcher(ClassifierSettings(match_threshold=0.9), model_dir=None)
    assert (matcher.stages, matcher.threshold) == (1, 0.9)
    assert isinstance(matcher, Matcher)
    index = ClaimIndex.build([5], ["false"], np.array([[1.0, 0.0]]), texts=["x"], languages=["nl"])
    [[hit], []] = match_batch(matcher, index, [["x"], ["y"]], [np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])],
                              ["nl", "nl"])
    assert (hit.fact_check_id, hit.score, hit.similarity) == (5, pytest.approx(1.0), pytest.approx(1.0))


def test_the_shipped_stage_two_model_was_trained_on_the_shipped_pair_set():
    """Changing the pair set means retraining (`waakhond match calibrate`) and updating the figures."""
    model = load_stage_two(REPO_ROOT / "models")
    assert model.metadata["pair_set_fingerprint"] == load_pair_set().fingerprint
    assert 0.5 <= model.threshold < 1 and model.centres.languages == ("de", "en", "fr", "nl")


def test_under_the_threshold_only_a_refuting_item_keeps_its_match():
    from classifier.matching.run import keeps

    assert keeps(0.9, 0.85, debunk=False) and keeps(0.9, 0.85, debunk=True)
    assert keeps(0.6, 0.85, debunk=True) and not keeps(0.6, 0.85, debunk=False)


def test_the_debunk_threshold_is_the_lowest_bar_where_refuting_units_top_candidate_is_right_often_enough(tmp_path):
    from classifier.matching.corpus import Decision
    from classifier.matching.evaluation import choose_debunk_threshold

    pair_set, encode = _tmp_pair_set(tmp_path)
    corpus = build_corpus(pair_set, encode, ["achtergrond"], split=lambda t: [t])
    right = [u for u, unit in enumerate(corpus.units) if unit.positives][:4]
    background = len(corpus.units) - 1
    wrong_claim = lambda u: next(c for c in range(len(pair_set.claims)) if c not in corpus.units[u].positives)  # noqa: E731
    decisions = [Decision(u, min(corpus.units[u].positives), p, p, p) for u, p in zip(right, (0.95, 0.7, 0.5, 0.3), strict=True)]
    decisions += [Decision(right[3], wrong_claim(right[3]), 0.2, 0.2, 0.2), Decision(background, 0, 0.6, 0.6, 0.6)]
    refutes = [u in right or u == background for u in range(len(corpus.units))]
    # ranked: .95 right, .7 right, .6 wrong (background), .5 right, .3 right
    assert choose_debunk_threshold(corpus, decisions, refutes, 0.8, threshold=0.9) == pytest.approx(0.3)  # 4 of 5
    assert choose_debunk_threshold(corpus, decisions, refutes, 0.9, threshold=0.9) == pytest.approx(0.7)
    assert choose_debunk_threshold(corpus, decisions, refutes, 0.9, threshold=0.6) == pytest.approx(0.6)  # never above
    refutes_none = [False] * len(corpus.units)
    assert choose_debunk_threshold(corpus, decisions, refutes_none, 0.9, threshold=0.85) == pytest.approx(0.85)
