"""Drift and feedback on the Modellen page: flag rate per topic and per source over time, and
the agreement with analysts' labels per part, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pyarrow as pa

import storage
from storage.repositories import labels
from storage.schema import ModelVersion, User
from tests.dashboard.conftest import texts
from tests.support.signal_parts import classify, contract_parts


def _chart_rows(chart) -> list[dict]:
    """The rows a chart was drawn from (Streamlit sends them as Arrow)."""
    (dataset,) = chart.proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_all().to_pandas().to_dict("records")


def _label(db, seeded, item_id: int, label: str, wrong_part: str | None = None) -> None:
    with storage.transaction(db.sessions) as session:
        labels.add_label(session, item_id, session.get(User, seeded.users["analyst"]), label, wrong_part=wrong_part)


def test_modellen_shows_flag_rates_and_agreement_per_part(make_app, db, seeded):
    with storage.transaction(db.sessions) as session:
        classify(session, seeded.flagged_item, seeded.model_id, score=0.93, flagged=True, parts=contract_parts(),
                 topic_scores=[(seeded.topics["stikstof"], 0.9)])
    _label(db, seeded, seeded.flagged_item, "disinformation")  # flagged, agreed
    _label(db, seeded, seeded.hostile_item, "not_disinformation", wrong_part="narrative")  # flagged, not agreed
    _label(db, seeded, seeded.plain_item, "misleading", wrong_part="head")  # missed
    _label(db, seeded, seeded.plain_item, "unsure")  # left out of the agreement
    at = make_app("analyst", "modellen")
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Drift en terugkoppeling" in shown and "laatste 28 dagen" in shown
    assert "Deze versie: 35% gesignaleerd (21 van 60 gescoorde berichten)" in shown  # the copy left out
    assert "Actieve versie:" not in shown and "Vergeleken met" not in shown  # the active version itself
    assert "Aandeel gesignaleerd per onderwerp" in shown and "Aandeel gesignaleerd per bron" in shown
    per_topic, per_source = at.get("vega_lite_chart")
    rates: dict[str, set[float]] = {}
    for row in _chart_rows(per_topic):
        rates.setdefault(row["series"], set()).add(row["rate"])
    assert rates == {"Stikstof": {1.0}, "Woningmarkt": {0.0}, "Geen onderwerp": {0.0}}
    assert {r["series"] for r in _chart_rows(per_source)} == {"NOS", "BLOG", "KRANT"}
    assert sum(r["scored"] for r in _chart_rows(per_source)) == 19 * 3 + 3  # the copy is left out
    assert "1 van 3 oordelen komen overeen met het signaal (33%); 4 beoordelingen in totaal" in shown
    assert ("Gesignaleerd en desinformatie: 1 · gesignaleerd maar geen desinformatie: 1 · gemist: 1 · "
            "terecht niet gesignaleerd: 0") in shown
    table = at.dataframe[-1].value
    rows = {r["Onderdeel"]: r for r in table.to_dict("records")}
    assert list(rows) == ["Controleerbare bewering", "Bekende factcheck", "Bekend onjuist verhaal",
                          "Desinformatiemodel", "Beleidsonderwerp"]
    narrative = rows["Bekend onjuist verhaal"]
    assert (narrative["Beoordeeld met dit onderdeel"], narrative["Gaf de doorslag"],
            narrative["Analisten eens als het de doorslag gaf"], narrative["Door analisten genoemd als fout"]) == (
        1, 1, "100%", 1)
    assert rows["Desinformatiemodel"]["Door analisten genoemd als fout"] == 1
    assert rows["Bekende factcheck"]["Analisten eens als het de doorslag gaf"] == "—"
    english = make_app("analyst", "modellen", lang="en")
    english.run()
    shown = texts(english)
    assert "Share flagged per topic" in shown and "1 of 3 judgements agree with the signal (33%)" in shown


def test_a_candidate_is_compared_with_the_active_version_and_says_what_it_has_not_got(make_app, db, seeded):
    with storage.transaction(db.sessions) as session:
        session.add(ModelVersion(name="v2", base_model="e5", path="models/v2", threshold=0.5, status="candidate",
                                 metrics={"validation": {"precision": 0.9, "f1": 0.75},
                                          "real_data": {"roc_auc": 0.92, "ece": 0.03}}))
    at = make_app("analyst", "modellen")
    at.run()
    at.selectbox(key="models_chosen").select("v2").run()
    assert not at.exception
    shown = texts(at)
    assert "Drift en terugkoppeling" in shown and "Deze versie scoorde in deze periode geen berichten." in shown
    assert "Nog geen beoordelingen van berichten die deze versie scoorde." in shown
    assert "Deze versie:" not in shown and "Actieve versie: 35% gesignaleerd (21 van 60 gescoorde berichten)" in shown
    assert "Vergeleken met de actieve versie v1" in shown
    compared = {(r["Meting"], r["Maat"]): (r["Deze versie"], r["Actieve versie"], r["Verschil"])
                for r in at.dataframe[-1].value.to_dict("records")}
    assert compared[("validation", "precision")] == (0.9, 0.81, 0.09)
    assert compared[("validation", "f1")] == (0.75, 0.75, 0.0)
    assert math.isnan(compared[("validation", "recall")][0]) and compared[("validation", "recall")][1] == 0.7
    assert compared[("real_data", "roc_auc")][0] == 0.92 and compared[("real_data", "ece")][0] == 0.03
    assert len(at.get("vega_lite_chart")) == 0
