"""The hybrid disinformation head: its lexical part scores as scikit-learn's pipeline does, and
a hybrid version folder loads back to the same probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.scoring.heads import fit_head
from classifier.scoring.hybrid import HybridHead, PartFits, TextsRequired, fit_hybrid
from classifier.scoring.lexical import LexicalModel, fit_lexical, fit_pipeline, terms_of
from classifier.training.train import Example

FALSE = [
    "Het kabinet gaat in het geheim alle boeren onteigenen voor woningen",
    "Vanaf januari wordt contant geld verboden, zegt niemand hardop",
    "De overheid leegt stiekem je spaarrekening zonder rechter",
    "Slimme meters schakelen je stroom uit als de regering dat wil",
    "Het RIVM verzwijgt dat het vaccin onvruchtbaar maakt",
    "Asielzoekers krijgen gratis huizen en jij betaalt de rekening",
]
TRUE = [
    "De gemeente opent in maart een opvanglocatie, meldt de gemeente",
    "Het kabinet presenteert vandaag de begroting voor volgend jaar",
    "De provincie koopt vrijwillig boerderijen op rond natuurgebieden",
    "De Belastingdienst verstuurt in februari de aangiftebrieven",
    "Het stikstofbeleid is een chaos en boeren weten niet waar ze staan",
    "De minister beantwoordt morgen Kamervragen over de woningnood",
]


def _examples() -> list[Example]:
    rows = [Example(t, 1, origin="seed_narrative", group=f"f{i}") for i, t in enumerate(FALSE)]
    rows += [Example(t, 0, origin="seed_news", group=f"t{i}") for i, t in enumerate(TRUE)]
    return rows * 2  # groups repeat: the grouped folds keep both copies together


def test_terms_are_the_vectorizers_words_and_word_pairs():
    assert terms_of("De Minister, de minister!") == ["de", "minister", "de", "minister",
                                                     "de minister", "minister de", "de minister"]
    assert terms_of("a b") == []  # one-character words are not words to the vectorizer


def test_the_lexical_model_scores_exactly_as_the_fitted_pipeline(tmp_path):
    texts = FALSE + TRUE
    labels = [1] * len(FALSE) + [0] * len(TRUE)
    weights = [2.0] * len(FALSE) + [1.0] * len(TRUE)
    pipeline = fit_pipeline(texts, labels, weights)
    model = fit_lexical(texts, labels, weights)
    unseen = ["Het kabinet verbiedt contant geld", "De gemeente meldt een nieuwe opvanglocatie", "", "zzz qqq"]
    assert np.allclose(model.raw(texts + unseen), pipeline.decision_function(texts + unseen), atol=1e-9)
    model.save(tmp_path)
    loaded = LexicalModel.load(tmp_path)
    assert loaded.terms == model.terms
    assert np.allclose(loaded.raw(unseen), model.raw(unseen), atol=1e-12)


def _trained_hybrid(tiny_encoder):
    fits = PartFits(fit_head=lambda part: fit_head(tiny_encoder.encode([e.text for e in part]),
                                                   np.array([e.label for e in part])),
                    rows=list, weight=lambda row: 1.0)
    return fit_hybrid(_examples(), tiny_encoder.encode, fits, target_precision=0.8, folds=3)


def test_the_classify_step_shows_both_parts_of_the_hybrid_at_the_best_window(tiny_encoder, tmp_path):
    from classifier.scoring.score import ScoringModels, score_texts
    from classifier.training.metrics import apply_calibration
    from classifier.versions import load_version, write_version_folder

    folder = write_version_folder(tmp_path / "v", name="v", task="disinformation", trained=_trained_hybrid(tiny_encoder),
                                  encoder=tiny_encoder, training={})
    version = load_version(folder, tiny_encoder)
    texts = [FALSE[0], TRUE[4] + ". " + FALSE[2] + ". " + TRUE[1] + "."]
    for result in score_texts(ScoringModels(tiny_encoder, version, 0), list(enumerate(texts))):
        components = result.signal_parts["head"]["components"]
        assert list(components) == ["embedding", "lexical"]
        best = result.text[result.window[0]:result.window[1]]
        p_head, p_lexical = version.model.part_probabilities(tiny_encoder.encode([best]), [best])
        assert components == pytest.approx({"embedding": p_head[0], "lexical": p_lexical[0]}, abs=1e-3)
        combined = apply_calibration(version.model.combine(p_head, p_lexical), version.model.calibration)[0]
        assert result.signal_parts["head"]["score"] == pytest.approx(combined, abs=1e-3)


def test_a_linear_head_has_no_components(tiny_encoder):
    from classifier.scoring.heads import fit_head as fit

    x = tiny_encoder.encode(FALSE + TRUE)
    head = fit(x, np.array([1] * len(FALSE) + [0] * len(TRUE))).model
    raw, components = head.raw_and_components(x)
    assert components == {} and np.allclose(raw, head.head.raw(x))


def test_a_hybrid_version_loads_back_to_the_same_probabilities(tiny_encoder, tmp_path):
    from classifier.versions import load_version, write_version_folder

    examples = _examples()
    trained = _trained_hybrid(tiny_encoder)
    assert isinstance(trained.model, HybridHead)
    assert trained.params["kind"] == "hybrid" and trained.params["lexical"]["terms"] == len(trained.model.lexical.terms)
    folder = write_version_folder(tmp_path / "v", name="v", task="disinformation", trained=trained,
                                  encoder=tiny_encoder, training={})
    assert (folder / "lexical.safetensors").is_file()
    loaded = load_version(folder, tiny_encoder).model
    assert isinstance(loaded, HybridHead) and loaded.threshold == trained.model.threshold
    texts = [e.text for e in examples[:12]]
    x = tiny_encoder.encode(texts)
    assert np.allclose(loaded.probabilities(x, texts), trained.model.probabilities(x, texts), atol=1e-6)
    p_head, p_lexical = loaded.part_probabilities(x, texts)
    assert p_lexical[:6].mean() > p_lexical[6:].mean()  # the lexical part learned the toy rows
    with pytest.raises(TextsRequired):
        loaded.probabilities(x)
