"""The shipped list of fact-checker sources reads as an ordinary source list."""

from __future__ import annotations

from collector import DEFAULT_FACTCHECKERS_FILE
from collector.source_lists import read_source_list
from storage.repositories.sources import validate_spec

EXPECTED = {"Nieuwscheckers", "Factcheck Vlaanderen", "Knack", "AFP Factcheck Nederlands", "NUcheckt", "Pointer"}


def test_every_fact_checker_is_a_valid_factcheck_source():
    specs = read_source_list(DEFAULT_FACTCHECKERS_FILE)
    assert all(any(name in spec.name for spec in specs) for name in EXPECTED)
    for spec in specs:
        validate_spec(spec)
        assert spec.kind == "factcheck" and spec.language == "nl"
        assert spec.note, f"{spec.name}: say how the URL was verified"


def test_unverified_sources_are_disabled_until_an_operator_checks_them():
    for spec in read_source_list(DEFAULT_FACTCHECKERS_FILE):
        if spec.note.startswith("unverified"):
            assert not spec.enabled, spec.name
