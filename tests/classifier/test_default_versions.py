"""The shipped default versions with the real encoder: they load, they fit the encoder, and
their stored validation metrics are reproduced by scoring the validation split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.training.train import seed_examples
from classifier.versions import TASK_CHECKWORTHY, TASK_DISINFORMATION, load_version, read_version_info

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_shipped_versions_are_complete_one_default_per_task_without_data_rows() -> None:
    infos = [read_version_info(p.parent) for p in MODELS.glob("*/version.json")]
    defaults = {info.task: info.name for info in infos if info.default}
    assert defaults == {TASK_DISINFORMATION: "nl-disinfo-real-v3", TASK_CHECKWORTHY: "nl-checkworthy-factrank-v1"}
    for info in infos:
        assert info.base_model == "multilingual-e5-small"
        assert set(info.metrics["validation"]) >= {"precision", "recall", "f1", "roc_auc", "pr_auc", "ece", "confusion"}
        assert 0 < info.threshold < 1 and info.calibration["method"] in ("platt", "isotonic")
        assert info.training["fingerprint"].startswith("sha256:")
    by_name = {info.name: info for info in infos}
    assert "narrative_held_out_cv" in by_name["nl-disinfo-seed-v1"].metrics
    for name in ("nl-checkworthy-factrank-v1", "nl-disinfo-real-v1", "nl-disinfo-real-v2", "nl-disinfo-real-v3"):
        committed = json.dumps(json.loads((MODELS / name / "version.json").read_text()))
        assert "FactRank" in committed and '"rows_committed": false' in committed
    for name in ("nl-disinfo-real-v1", "nl-disinfo-real-v2", "nl-disinfo-real-v3"):
        real = by_name[name].training
        files = {entry["file"]: entry["sha256"] for entry in real["data"]}
        assert "../shared/data/euvsdisinfo/euvsdisinfo_nl_related.dev.csv" in files
        assert files["classifier/data/seed/seed_nl.csv"] == _sha256(Path("classifier/data/seed/seed_nl.csv"))
        assert all(len(digest) == 64 for digest in files.values())
    v2 = by_name["nl-disinfo-real-v2"].training  # the version records the data it saw
    v2_files = {entry["file"]: entry["sha256"] for entry in v2["data"]}
    written = "classifier/data/criticism/hard_negatives_train_v2.jsonl"
    assert v2["recipe"] == "real2-aug" and v2_files[written] == _sha256(Path(written))
    assert written not in {entry["file"] for entry in by_name["nl-disinfo-real-v1"].training["data"]}
    v3 = by_name["nl-disinfo-real-v3"]  # the hybrid head: v2's rows, two parts
    assert v3.training["recipe"] == "real2-hybrid" and v3.training["mode"] == "hybrid"
    assert {entry["file"]: entry["sha256"] for entry in v3.training["data"]} == v2_files
    assert v3.head["kind"] == "hybrid" and (MODELS / v3.name / "lexical.safetensors").is_file()


def test_the_default_ships_its_known_narratives_made_only_from_the_projects_sets() -> None:
    from classifier.narratives import NarrativeReference
    from classifier.training.real_data import claims_false_examples, seed_source_examples

    info = read_version_info(MODELS / "nl-disinfo-real-v3")
    reference = NarrativeReference.load(MODELS / "nl-disinfo-real-v3", info.base_fingerprint)
    assert reference is not None and 0 < reference.threshold < 1
    own = {e.group.split(":", 1)[1] for e in seed_source_examples() if e.label} | {e.text for e in claims_false_examples()}
    assert set(reference.names) == own  # seed narratives and false-rated claims, nothing else
    assert reference.vectors.shape == (len(own), 384)


@pytest.mark.real_encoder
def test_default_disinformation_version_reproduces_its_validation_metrics(real_encoder) -> None:
    from classifier.training.metrics import binary_metrics

    version = load_version(MODELS / "nl-disinfo-seed-v1", real_encoder)  # refuses a foreign encoder
    stored = version.info.metrics["validation"]
    validation = [e for e in seed_examples() if e.split == "validation"]
    if version.info.training["data"]["sha256"] != _sha256(Path(version.info.training["data"]["file"])):
        pytest.skip("the seed set changed after the default version was trained: retrain it")
    probs = version.model.probabilities(real_encoder.encode([e.text for e in validation]))
    metrics = binary_metrics([e.label for e in validation], probs, version.model.threshold)
    for key in ("n", "precision", "recall", "f1", "roc_auc"):
        assert metrics[key] == pytest.approx(stored[key], abs=0.01), key


@pytest.mark.real_encoder
def test_default_versions_tell_a_narrative_from_news_and_a_claim_from_a_greeting(real_encoder) -> None:
    disinfo = load_version(MODELS / "nl-disinfo-real-v3", real_encoder)
    checkworthy = load_version(MODELS / "nl-checkworthy-factrank-v1", real_encoder)
    texts = [
        "Ze zeggen het niet hardop, maar vanaf volgend jaar wordt contant geld afgeschaft en kan de overheid al je uitgaven volgen.",
        "De Nederlandsche Bank meldt dat het aandeel contante betalingen in winkels vorig jaar verder is gedaald.",
    ]
    narrative, news = disinfo.model.probabilities(real_encoder.encode(texts), texts)
    assert narrative > news
    claim, greeting = checkworthy.model.probabilities(real_encoder.encode([
        "Het aantal asielaanvragen is vorig jaar met 30 procent gestegen tot 48.000.",
        "Dank u wel, voorzitter, en goedemorgen aan iedereen.",
    ]))
    assert claim > greeting


def _sha256(relative: Path) -> str:
    import hashlib

    return hashlib.sha256((MODELS.parent / relative).read_bytes()).hexdigest()


@pytest.mark.real_encoder
def test_classify_with_the_real_encoder_stores_signal_topics_and_evidence(db, tmp_path, real_encoder_folder, real_encoder) -> None:
    import storage
    from classifier.scoring.evidence import item_text
    from classifier.scoring.score import classify_items, load_scoring_models
    from classifier.scoring.topics import seed_topics
    from storage.repositories import classifications
    from tests.classifier.pipeline_support import add_items
    from waakhond.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", model_dir=MODELS,
                        classifier={"base_model_path": str(real_encoder_folder)})
    items = [
        ("Ze gaan boeren onteigenen", "Een kennis bij de provincie zegt dat de onteigeningsbrieven al klaarliggen. "
         "Eerst stikstof, dan je land kwijt. Deel dit voor het wordt verwijderd!", None),
        ("Contant geld verdwijnt", "Vanaf volgend jaar mag je niet meer met contant geld betalen, de overheid wil "
         "al je uitgaven kunnen volgen met de digitale euro.", None),
        ("Kabinet verhoogt huurtoeslag", "Het kabinet verhoogt de huurtoeslag per 1 januari met gemiddeld 12 euro per "
         "maand, meldt het ministerie. De Tweede Kamer stemde in met het voorstel.", None),
        ("Nieuwe opvanglocatie in Assen", "De gemeente Assen opent in maart een opvanglocatie voor 200 asielzoekers, "
         "meldt de gemeente. Omwonenden kunnen donderdag naar een informatieavond in het dorpshuis.", None),
    ]
    with storage.transaction(db.sessions) as session:
        seed_topics(session)
        ids = add_items(session, items)
    models = load_scoring_models(db.sessions, settings, encoder=real_encoder)
    assert models.checkworthy is not None  # both shipped defaults were installed
    assert classify_items(db.sessions, settings, models).scored == 4
    with db.read_sessions() as session:
        rows = [classifications.classification_for_item(session, i) for i in ids]
        for row, (title, summary, body) in zip(rows, items, strict=True):
            parts = row.signal_parts
            assert parts["rule"] == "parts-v1" and parts["head"]["version"] == "nl-disinfo-real-v3"
            assert row.flagged == bool(parts["flagged_by"]) and ("head" in parts["flagged_by"]) == (
                row.score >= models.disinformation.model.threshold)
            assert parts["topic"]["slug"] == row.topics[0] and parts["narrative"]["name"]
            assert parts["checkworthy"]["sentence"] in item_text(title, summary, body)
            assert row.topics, title
            assert item_text(title, summary, body)[row.evidence_start : row.evidence_end] == row.evidence_text
    assert rows[0].topics[0] == "stikstof-landbouw" and rows[1].topics[0] == "digitale-overheid-geld"
    assert rows[2].topics[0] == "wonen" and rows[3].topics[0] == "migratie-asiel"
    assert [row.flagged for row in rows[:3]] == [True, True, False]  # two narratives, a news item
    # The attributed asylum news is a known false positive of nl-disinfo-real-v1 (models/README.md,
    # "What it still gets wrong"); it still scores below the onteigening narrative.
    assert rows[3].score < rows[0].score
