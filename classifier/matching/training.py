"""Training and held-out evaluation of the stage-two claim matcher on the pair set.

    units       one per distinct pair-set sentence (its positive claims, if any) and one per
                background text (ordinary news: split into sentences, no positive claim)
    folds       claims are dealt into FOLDS folds; a sentence goes with its claim, a background
                text by its position: no claim has pairs on both sides of a split
    per fold    centres, ranker and acceptance are fitted on the other folds' units, retrieving
                only among the other folds' claims; the fold's units are then matched against
                *all* claims (as in service: the index holds known and unknown claims alike)
    threshold   pooled held-out probabilities: the lowest threshold whose decisions reach the
                target precision, raised until at most ``background_rate`` of the background
                texts would get any match
    the shipped model is then fitted on every unit with that threshold

A decision is an (item, claim) pair accepted by the matcher: right when the claim is one of
the item's positives. Recall is over the positive sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.linear_model import LogisticRegression

from classifier.matching.calibration import PairSet
from classifier.matching.corpus import Corpus, Decision, Unit
from classifier.matching.evaluation import choose_debunk_threshold, choose_threshold, split_figures
from classifier.matching.features import FEATURE_NAMES, CandidateInput, LanguageCentres, candidate_features
from classifier.matching.rerank import StageTwoModel, accept_inputs

FOLDS = 5
#: Fixed so that folds, and so the reported figures, are the same on every run.
FOLD_SEED = 20261202
#: Candidates per item that retrieval hands to stage two (the shipped default of the setting).
DEFAULT_CANDIDATES = 10
#: Regularisation of the ranker and the acceptance (inverse strength; chosen on held-out folds).
RANKER_C = 0.1
ACCEPT_C = 1.0
ITEM_LANGUAGE = "nl"

Split = Callable[[str], list[str]]


def build_corpus(pair_set: PairSet, encode: Callable[[Sequence[str]], np.ndarray],
                 background: Sequence[str] = (), split: Split | None = None) -> Corpus:
    claim_row = {c.id: i for i, c in enumerate(pair_set.claims)}
    positives: dict[str, set[int]] = {}
    debunk: set[str] = set()
    for p in pair_set.pairs:
        positives.setdefault(p.sentence, set())
        if p.label == 1:
            positives[p.sentence].add(claim_row[p.claim_id])
            if p.stance == "debunk":
                debunk.add(p.sentence)
    texts: list[str] = sorted(positives)
    units = [Unit((s,), (i,), frozenset(positives[s]), debunk=s in debunk) for i, s in enumerate(texts)]
    for text in background:
        parts = (split(text) if split else [text]) or [text]
        rows = tuple(range(len(texts), len(texts) + len(parts)))
        texts.extend(parts)
        units.append(Unit(tuple(parts), rows, frozenset(), background=True))
    sentence_vectors = encode(texts)
    claim_vectors = encode([c.text for c in pair_set.claims])
    rng = np.random.default_rng(FOLD_SEED)
    groups = claim_groups(len(pair_set.claims), [u.positives for u in units])
    claim_folds = (rng.permutation(int(groups.max()) + 1) % FOLDS)[groups] if len(groups) else groups
    others = rng.permutation(len(units)) % FOLDS
    unit_folds = np.array([claim_folds[min(u.positives)] if u.positives else others[n] for n, u in enumerate(units)])
    return Corpus(units, sentence_vectors, [c.text for c in pair_set.claims], [c.language for c in pair_set.claims],
                  claim_vectors, claim_folds, unit_folds)


def claim_groups(n_claims: int, positives: Sequence[frozenset[int]]) -> np.ndarray:
    """A group number per claim: claims that one sentence carries together (the same claim
    checked twice, in two languages or two wordings) are one group, so that they fall in the
    same fold and no claim has pairs on both sides of a split. Groups are numbered by their
    first claim."""
    parent = list(range(n_claims))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for claims in positives:
        first, *rest = sorted(claims) or [None]
        for other in rest:
            a, b = root(first), root(other)
            parent[max(a, b)] = min(a, b)
    roots = [root(i) for i in range(n_claims)]
    numbers = {r: n for n, r in enumerate(dict.fromkeys(roots))}
    return np.array([numbers[r] for r in roots], dtype=np.int64)


# ----------------------------------------------------------------------------- retrieval + features
def fit_centres(corpus: Corpus, units: Sequence[int], claims: np.ndarray) -> LanguageCentres:
    sentence_rows = [r for u in units for r in corpus.units[u].rows]
    vectors = np.concatenate([corpus.sentence_vectors[sentence_rows], corpus.claim_vectors[claims]])
    languages = [ITEM_LANGUAGE] * len(sentence_rows) + [corpus.claim_languages[c] for c in claims]
    return LanguageCentres.fit(vectors, languages)


def unit_candidates(corpus: Corpus, unit: int, claims: np.ndarray, centres: LanguageCentres,
                    k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stage one for a unit: its best ``k`` claims of ``claims`` by centred cosine (best sentence
    per claim), their feature rows and their raw cosines."""
    u = corpus.units[unit]
    raw_sentences = corpus.sentence_vectors[list(u.rows)]
    item_language = centres.index_of(ITEM_LANGUAGE)
    centred_sentences, _ = centres.centre(raw_sentences, [item_language] * len(u.rows))
    claim_rows = [centres.index_of(corpus.claim_languages[c], corpus.claim_vectors[c]) for c in claims]
    centred_claims, _ = centres.centre(corpus.claim_vectors[claims], claim_rows)
    sims = centred_sentences @ centred_claims.T  # (sentences, claims)
    best_sentence = sims.argmax(axis=0)
    best = sims.max(axis=0)
    order = np.argsort(-best, kind="stable")[:k]
    chosen = claims[order]
    raw = np.array([float(raw_sentences[best_sentence[o]] @ corpus.claim_vectors[claims[o]]) for o in order])
    inputs = [CandidateInput(float(best[o]), float(r), corpus.claim_languages[c] == ITEM_LANGUAGE,
                             u.sentences[best_sentence[o]], corpus.claim_texts[c])
              for o, c, r in zip(order, chosen, raw, strict=True)]
    return chosen, candidate_features(inputs), raw


@dataclass
class _Examples:
    features: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)


def fit_model(corpus: Corpus, units: Sequence[int], claims: np.ndarray, k: int, threshold: float,
              encoder_fingerprint: str, metadata: dict | None = None) -> StageTwoModel:
    centres = fit_centres(corpus, units, claims)
    examples = _Examples()
    for u in units:
        chosen, features, _ = unit_candidates(corpus, u, claims, centres, k)
        examples.features.append(features)
        examples.labels.append(np.array([int(c in corpus.units[u].positives) for c in chosen]))
    stacked = np.concatenate(examples.features)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale = np.where(scale == 0, 1.0, scale)
    differences = []
    for features, labels in zip(examples.features, examples.labels, strict=True):
        standard = (features - mean) / scale
        for p in np.flatnonzero(labels == 1):
            for n in np.flatnonzero(labels == 0):
                differences.append(standard[p] - standard[n])
    x = np.array(differences)
    ranker = LogisticRegression(C=RANKER_C, fit_intercept=False, max_iter=5000)
    ranker.fit(np.concatenate([x, -x]), np.concatenate([np.ones(len(x)), np.zeros(len(x))]))
    weights = ranker.coef_[0]
    same = FEATURE_NAMES.index("same_language")
    accept_x = np.concatenate([accept_inputs(((f - mean) / scale) @ weights, f[:, same])
                               for f in examples.features if len(f)])
    accept = LogisticRegression(C=ACCEPT_C, max_iter=5000).fit(accept_x, np.concatenate(examples.labels))
    return StageTwoModel(FEATURE_NAMES, mean, scale, weights, accept.coef_[0], float(accept.intercept_[0]),
                         threshold, k, centres, encoder_fingerprint, metadata or {})


def decide(corpus: Corpus, model: StageTwoModel, units: Sequence[int], claims: np.ndarray) -> list[Decision]:
    """Every candidate of every unit with the model's probability."""
    decisions = []
    for u in units:
        chosen, features, raw = unit_candidates(corpus, u, claims, model.centres, model.candidates)
        for c, p, r, cos in zip(chosen, model.probabilities(features), model.rank_scores(features), raw, strict=True):
            decisions.append(Decision(u, int(c), float(p), float(r), float(cos)))
    return decisions


def held_out_decisions(corpus: Corpus, k: int = DEFAULT_CANDIDATES, encoder_fingerprint: str = "") -> list[Decision]:
    """Each fold's units decided by a model fitted without the fold's claims and units."""
    everything = np.arange(len(corpus.claim_texts))
    decisions = []
    for fold in range(FOLDS):
        train = [u for u in range(len(corpus.units)) if corpus.unit_folds[u] != fold]
        test = [u for u in range(len(corpus.units)) if corpus.unit_folds[u] == fold]
        model = fit_model(corpus, train, everything[corpus.claim_folds != fold], k, 0.5, encoder_fingerprint)
        decisions.extend(decide(corpus, model, test, everything))
    return decisions


def raw_cosine_decisions(corpus: Corpus, k: int = DEFAULT_CANDIDATES) -> list[Decision]:
    """Today's single stage: rank by raw cosine (best sentence per claim); score = that cosine."""
    decisions = []
    for u, unit in enumerate(corpus.units):
        sims = corpus.sentence_vectors[list(unit.rows)] @ corpus.claim_vectors.T
        best = sims.max(axis=0)
        for c in np.argsort(-best, kind="stable")[:k]:
            decisions.append(Decision(u, int(c), float(best[c]), float(best[c]), float(best[c])))
    return decisions


#: Precision the shipped threshold is chosen for (the issue's bar: a shown match is right 19 in 20).
DEFAULT_TARGET_PRECISION = 0.95
#: At most this share of background news texts may get any match at the shipped threshold.
DEFAULT_BACKGROUND_RATE = 0.02
#: How often the best candidate of an item that refutes a claim must be its claim for the lower
#: debunk bar (such a link is shown, never flagged: a wrong one costs less than a wrong flag).
DEBUNK_PRECISION = 0.85


def train_stage_two(
    corpus: Corpus, encoder_fingerprint: str, pair_set_fingerprint: str, *,
    k: int = DEFAULT_CANDIDATES, target_precision: float = DEFAULT_TARGET_PRECISION,
    background_rate: float = DEFAULT_BACKGROUND_RATE,
) -> tuple[StageTwoModel, list[Decision]]:
    """The shipped model: threshold from the held-out decisions, then fitted on everything.
    Returns it with the held-out decisions (for the figures)."""
    from classifier.matching.stance import debunk_cue

    held_out = held_out_decisions(corpus, k, encoder_fingerprint)
    threshold = choose_threshold(corpus, held_out, target_precision, background_rate)
    figures = split_figures(corpus, held_out, threshold, target_precision)
    refutes = [any(debunk_cue(s) for s in u.sentences) for u in corpus.units]
    debunk_threshold = choose_debunk_threshold(corpus, held_out, refutes, DEBUNK_PRECISION, threshold)
    metadata = {
        "debunk_precision": DEBUNK_PRECISION, "refuting_units": sum(refutes),
        "pair_set_fingerprint": pair_set_fingerprint, "target_precision": target_precision,
        "max_background_rate": background_rate, "folds": FOLDS, "fold_seed": FOLD_SEED,
        "units": len(corpus.units), "claims": len(corpus.claim_texts),
        "background_texts": sum(u.background for u in corpus.units),
        "held_out": figures, "command": "waakhond match calibrate",
    }
    everything = np.arange(len(corpus.claim_texts))
    model = fit_model(corpus, list(range(len(corpus.units))), everything, k, threshold, encoder_fingerprint, metadata)
    return replace(model, debunk_threshold=debunk_threshold), held_out


def training_background() -> list[str]:
    """Ordinary news that should match no claim: the seed set's news, announcements and opinion,
    and the narratives' background sentences (classifier/data/narratives/background.jsonl)."""
    from classifier.matching import calibration as match_calibration
    from classifier.narratives import calibration as narrative_calibration

    return match_calibration.load_background_texts() + narrative_calibration.load_background_texts()
