"""Frame augmentation (recipe real3): which rows get a frame, that labels and groups survive,
that it is deterministic, and that no frame was copied from the demo corpus it is judged on."""

from __future__ import annotations

import re

from classifier.training.framing import FRAMES, frame_variants, framed, looks_dutch
from classifier.training.signal_training import augmented_rows, recipe_params
from classifier.training.train import Example
from waakhond.demo import load_corpus


def _rows() -> list[Example]:
    return [
        Example("De gemeente opent in maart een opvanglocatie voor 200 asielzoekers.", 0, origin="seed_news"),
        Example("Het stikstofbeleid is een puinhoop en de boeren betalen de rekening", 0, origin="hard_negatives_v2"),
        Example("Het kabinet schaft in stilte contant geld af.", 1, origin="seed_narrative", group="narrative:x"),
        Example("Een tweet over de coronaregels van het kabinet.", 0, origin="checkthat_clean"),  # real row: left alone
        Example("MH17 was shot down by Ukraine", 1, origin="euvsdisinfo"),  # not a framed source
        Example("The government will abolish cash", 1, origin="claims_false"),  # English: not framed
        Example("Eerste alinea over het plan.\nTweede alinea met de details van het plan.", 0, origin="seed_news"),
    ]


def test_frames_go_to_dutch_narratives_and_dutch_constructed_negatives_alike() -> None:
    variants = frame_variants(_rows())
    assert [v.origin for v in variants] == ["seed_news+frame", "hard_negatives_v2+frame", "seed_narrative+frame"]
    assert [v.label for v in variants] == [0, 0, 1]
    assert variants[2].group == "narrative:x"
    assert "opvanglocatie voor 200 asielzoekers." in variants[0].text
    assert "de boeren betalen de rekening." in variants[1].text  # a full stop was added before framing
    assert all(v.text != r.text for v, r in zip(variants, _rows(), strict=False))
    assert frame_variants(_rows()) == variants  # deterministic
    assert frame_variants(_rows(), seed=1) != variants or len(FRAMES) == 1


def test_framed_keeps_the_sentence_whole() -> None:
    assert framed("Het kabinet gaat boeren onteigenen", "{text} Klopt dit eigenlijk?") == (
        "Het kabinet gaat boeren onteigenen. Klopt dit eigenlijk?")
    assert framed("Klopt het?", "Een lezer schrijft: '{text}'") == "Een lezer schrijft: 'Klopt het?'"
    assert all(f.count("{text}") == 1 for f in FRAMES)
    assert looks_dutch("Het kabinet gaat boeren onteigenen") and not looks_dutch("The cabinet will expropriate")


def test_only_recipe_real3_adds_frames_to_a_training_part() -> None:
    rows = _rows()
    assert not recipe_params("real2-hybrid", 0.8, "platt").frames
    params = recipe_params("real3-hybrid", 0.8, "platt")
    assert params.frames
    with_frames = augmented_rows(rows, augment=True, frames=params.frames)
    without = augmented_rows(rows, augment=True, frames=False)
    assert len(with_frames) == len(without) + 3
    assert with_frames[: len(rows)] == rows


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ]+", text.lower())


def test_no_frame_is_copied_from_the_demo_corpus() -> None:
    """The demo's spike posts are a test set of issue #19: a frame that repeats their words would
    teach the head the test. No run of four words of a frame occurs in any demo item."""
    corpus = " ".join(" ".join(_words(f"{i.title} {i.summary} {i.body}")) for i in load_corpus().items)
    for frame in FRAMES:
        for part in frame.split("{text}"):
            words = _words(part)
            for start in range(len(words) - 3):
                run = " ".join(words[start:start + 4])
                assert f" {run} " not in f" {corpus} ", (frame, run)
