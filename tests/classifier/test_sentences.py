from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.scoring.sentences import sentence_texts, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Volgens o.a. het RIVM is dit onjuist. Dhr. Jansen zegt iets anders.",
            ["Volgens o.a. het RIVM is dit onjuist.", "Dhr. Jansen zegt iets anders."],
        ),
        ("Het kost 3.5 miljard euro. Dat is veel!  En nu?", ["Het kost 3.5 miljard euro.", "Dat is veel!", "En nu?"]),
        (
            'Mr. J. de Vries, nr. 5, zei: "Dit klopt niet." Daarna ging hij weg.',
            ['Mr. J. de Vries, nr. 5, zei: "Dit klopt niet."', "Daarna ging hij weg."],
        ),
        ('"Klopt dit?" vroeg hij. Ja.', ['"Klopt dit?" vroeg hij.', "Ja."]),
        ("Fiets te koop, z.g.a.n. Bel na zes uur.", ["Fiets te koop, z.g.a.n. Bel na zes uur."]),
        ("Bijv. de huurtoeslag stijgt. Zie blz. 4 van het rapport.", ["Bijv. de huurtoeslag stijgt.", "Zie blz. 4 van het rapport."]),
        ("Titel zonder punt\n\nSamenvatting hier. Tweede zin...", ["Titel zonder punt", "Samenvatting hier.", "Tweede zin..."]),
        ("Het was laat. 's Avonds regende het.", ["Het was laat.", "'s Avonds regende het."]),
        ("Dat was in 2023. De regering viel.", ["Dat was in 2023.", "De regering viel."]),
        ("Het kabinet wil 1.000 woningen. Wanneer?! Niemand weet het…", ["Het kabinet wil 1.000 woningen.", "Wanneer?!", "Niemand weet het…"]),
        ("Zie www.rijksoverheid.nl voor meer. Of bel.", ["Zie www.rijksoverheid.nl voor meer.", "Of bel."]),
        ("dit is niet waar. en dit ook niet", ["dit is niet waar. en dit ook niet"]),
        ("   ", []),
        ("", []),
    ],
)
def test_dutch_sentences(text: str, expected: list[str]) -> None:
    assert sentence_texts(text) == expected


def test_offsets_index_the_original_text() -> None:
    text = "  Eerste zin.   Tweede zin!\n\nDerde, met mevr. Bakker."
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["Eerste zin.", "Tweede zin!", "Derde, met mevr. Bakker."]
    assert spans[0] == (2, 13)


@given(st.text(alphabet=st.sampled_from(list("abcAB .!?\n\"'…0123456789,")), max_size=120))
def test_spans_are_ordered_trimmed_and_cover_every_word(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(text.split()) == "".join(covered.split())
