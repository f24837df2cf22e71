"""``waakhond factchecks`` and ``waakhond match`` as an analyst uses them."""

from __future__ import annotations

import json

import pytest

from collector.factcheck_csv import parse_factcheck_csv
from tests.support.cli import invoke

CSV = """url;claim;rating;publisher;date;language;appearances
https://nieuwscheckers.nl/a;Het kabinet wil boeren onteigenen.;Niet waar;Nieuwscheckers;2025-03-01;nl;https://x.com/1 | https://x.com/2
https://fullfact.org/b;The government will abolish cash next year.;Misleading;Full Fact;2025-02-01;en;
"""
CLAIM_REVIEWS = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "ClaimReview", "url": "https://factcheck.vlaanderen/x", "claimReviewed": "Stembiljetten worden vernietigd.",
         "author": {"name": "Factcheck Vlaanderen"}, "reviewRating": {"alternateName": "Onwaar"},
         "datePublished": "2025-01-05"},
        {"@type": "ClaimReview", "url": "https://factcheck.vlaanderen/y", "claimReviewed": "De EU verbiedt de barbecue.",
         "author": {"name": "Factcheck Vlaanderen"}, "reviewRating": {"alternateName": "Onbewezen"}},
    ],
}


@pytest.fixture
def env(db, tmp_path):
    return {"WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var"), "WAAKHOND_ACTOR": "tester"}


def test_import_csv_and_json_ld_twice_then_list_show_remove(env, capsys, tmp_path):
    csv_file, json_file = tmp_path / "lijst.csv", tmp_path / "reviews.jsonld"
    csv_file.write_text(CSV, encoding="utf-8")
    json_file.write_text(json.dumps(CLAIM_REVIEWS), encoding="utf-8")
    assert invoke(["init"], env, capsys).exit_code == 0
    first = invoke(["factchecks", "import", str(csv_file)], env, capsys)
    assert first.exit_code == 0 and "Imported 2 new" in first.stdout, first.stderr
    again = invoke(["factchecks", "import", str(csv_file)], env, capsys)
    assert "Imported 0 new" in again.stdout and "2 unchanged" in again.stdout
    assert "Imported 2 new" in invoke(["factchecks", "import", str(json_file)], env, capsys).stdout
    rows = json.loads(invoke(["factchecks", "list", "--json"], env, capsys).stdout)
    assert {(r["publisher"], r["rating"], r["origin"]) for r in rows} == {
        ("Nieuwscheckers", "false", "imported"), ("Full Fact", "mostly_false", "imported"),
        ("Factcheck Vlaanderen", "false", "imported"), ("Factcheck Vlaanderen", "unproven", "imported"),
    }
    found = json.loads(invoke(["factchecks", "list", "--search", "onteigenen", "--json"], env, capsys).stdout)
    shown = json.loads(invoke(["factchecks", "show", str(found[0]["id"])], env, capsys).stdout)
    assert shown["appearances"] == ["https://x.com/1", "https://x.com/2"] and shown["matches"] == []
    removed = invoke(["factchecks", "remove", str(found[0]["id"]), "--yes"], {**env, "WAAKHOND_CLASSIFIER__MATCH_THRESHOLD": "0.9"}, capsys)
    assert removed.exit_code == 0, removed.stderr
    assert len(json.loads(invoke(["factchecks", "list", "--json"], env, capsys).stdout)) == 3


@pytest.mark.parametrize(
    "content, suffix, fragment",
    [
        ("url,claim\nhttps://a.nl/,\n", ".csv", "line 2: url and claim are required"),
        ("titel,tekst\n", ".csv", "lacks the column(s) url, claim"),
        ("url,claim,date\nhttps://a.nl/,c,gisteren\n", ".csv", "not a date"),
        ('{"@type": "NewsArticle"}', ".json", "no ClaimReview"),
        ("<html></html>", ".html", "unknown fact-check file type"),
    ],
)
def test_bad_files_are_one_line_and_exit_2(env, capsys, tmp_path, content, suffix, fragment):
    path = tmp_path / f"bestand{suffix}"
    path.write_text(content, encoding="utf-8")
    invoke(["init"], env, capsys)
    result = invoke(["factchecks", "import", str(path)], env, capsys)
    assert result.exit_code == 2 and fragment in result.stderr and result.stderr.count("\n") == 1


def test_matching_without_a_stage_two_model_is_an_environment_problem(env, capsys, tmp_path):
    invoke(["init"], env, capsys)
    result = invoke(["factchecks", "remove", "1", "--yes"], {**env, "WAAKHOND_MODEL_DIR": str(tmp_path / "leeg")}, capsys)
    assert result.exit_code == 3 and "stage-two model" in result.stderr


def test_csv_columns():
    [first, second] = parse_factcheck_csv(CSV)
    assert (first.rating, first.rating_text, first.appearances) == ("false", "Niet waar", ("https://x.com/1", "https://x.com/2"))
    assert (second.rating, second.language, second.published_at.year) == ("mostly_false", "en", 2025)
    [scale_word] = parse_factcheck_csv("url,claim,rating\nhttps://a.nl/,c,mostly_false\n")
    assert scale_word.rating == "mostly_false"


@pytest.mark.slow
def test_match_calibrate_trains_stage_two_and_the_matcher_uses_it(env, capsys, tmp_path, tiny_folder):
    """The reproduction path of models/claim-matching/stage-two.json, with the tiny random
    encoder (figures meaningless, the file and its checks real)."""
    env = {**env, "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(tiny_folder)}
    models = tmp_path / "models"
    result = invoke(["match", "calibrate", "--model-dir", str(models)], env, capsys)
    assert result.exit_code == 0, result.stderr
    written = json.loads(result.stdout)
    assert written["written_to"].endswith("claim-matching/stage-two.json")
    assert 0 <= written["threshold"] <= 1 and written["held_out"]["n_crosslingual"] > 0
    assert invoke(["init"], env, capsys).exit_code == 0
    matched = invoke(["match"], {**env, "WAAKHOND_MODEL_DIR": str(models)}, capsys)
    assert matched.exit_code == 0, matched.stderr
    assert "2 stage(s)" in matched.stdout
