from __future__ import annotations

from classifier.scoring.evidence import (
    SentenceSignal,
    choose_evidence,
    item_text,
    locate_evidence,
    paragraph_bounds,
)


def test_item_text_layout_matches_the_offsets_contract() -> None:
    assert item_text("Titel", "Samenvatting", None) == "Titel\n\nSamenvatting"
    assert item_text("Titel", "Samenvatting", "Volledige tekst") == "Titel\n\nVolledige tekst"
    assert item_text("", "Alleen samenvatting", None) == "Alleen samenvatting"
    assert item_text("Alleen titel", "", None) == "Alleen titel"


SENTENCES = [
    SentenceSignal(0, 10, 0.9, 0.1),   # high score, not check-worthy, outside the window
    SentenceSignal(12, 30, 0.6, 0.2),  # inside, not check-worthy
    SentenceSignal(31, 50, 0.4, 0.8),  # inside, check-worthy
    SentenceSignal(51, 70, 0.5, 0.9),  # inside, check-worthy, highest of those
]


def test_evidence_is_the_best_check_worthy_sentence_in_the_best_window() -> None:
    assert choose_evidence(SENTENCES, (11, 70), 0.5) == 3
    assert choose_evidence(SENTENCES, (11, 70), None) == 1  # no check-worthiness head: best score
    assert choose_evidence(SENTENCES, (11, 70), 0.95) == 1  # none check-worthy: best score inside
    assert choose_evidence(SENTENCES, (0, 70), None) == 0
    assert choose_evidence(SENTENCES, (200, 300), 0.5) == 3  # window holds none: all count
    assert choose_evidence([], (0, 1), 0.5) is None


def test_paragraph_and_relocation() -> None:
    text = "Titel\n\nEerste alinea. Tweede zin.\nDerde alinea."
    start = text.index("Tweede")
    assert text[slice(*paragraph_bounds(text, start, start + 11))] == "Eerste alinea. Tweede zin."
    assert locate_evidence(text, "Tweede zin.", start, start + 11) == (start, start + 11)
    moved = "Nieuwe titel\n\n" + text
    assert locate_evidence(moved, "Tweede zin.", start, start + 11) == (moved.index("Tweede"), moved.index("Tweede") + 11)
    assert locate_evidence(text, "Niet aanwezig.", 0, 5) is None
