"""The encoder pipeline, on a tiny random BERT (the real one is in test_base_model)."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.encoding.encoder import Encoder, length_batches, window_starts


def test_embeddings_are_normalised_and_independent_of_batching(tiny_encoder: Encoder) -> None:
    texts = [
        "Het kabinet wil de belasting verhogen.",
        "Kort.",
        "De gemeente bouwt nieuwe woningen voor iedereen die wil wonen in de stad.",
        "Stikstof",
        "Boeren",
    ]
    together = tiny_encoder.encode(texts)
    one_by_one = np.stack([tiny_encoder.encode([t])[0] for t in texts])
    assert together.shape == (5, tiny_encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Sorting by length and padding must not change any text's vector.
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)
    assert not np.allclose(together[0], together[1])


def test_prefix_changes_the_embedding(tiny_folder, tiny_settings) -> None:
    plain = Encoder.from_folder(tiny_folder, tiny_settings.model_copy(update={"text_prefix": ""}))
    prefixed = Encoder.from_folder(tiny_folder, tiny_settings)
    text = ["de regering zegt het"]
    assert not np.allclose(plain.encode(text), prefixed.encode(text))


def test_encode_reports_progress(tiny_encoder: Encoder) -> None:
    seen: list[int] = []
    tiny_encoder.encode(["een", "twee drie", "vier", "vijf zes zeven", "acht", "negen"], seen.append)
    assert sum(seen) == 6 and len(seen) == 2  # batch size 4


def test_long_text_windows_overlap_and_cover_it(tiny_encoder: Encoder) -> None:
    text = "De regering zegt dat de belasting omhoog gaat. " * 12
    windows = tiny_encoder.token_windows(text)
    assert len(windows) > 2
    assert windows[0].char_start == 0
    assert windows[-1].char_end == len(text.rstrip())
    for first, second in zip(windows, windows[1:], strict=False):
        assert second.char_start < first.char_end  # overlap
        assert len(first.token_ids) == tiny_encoder.content_budget
    short = tiny_encoder.token_windows("Kort bericht.")
    assert len(short) == 1 and (short[0].char_start, short[0].char_end) == (0, len("Kort bericht."))


def test_texts_longer_than_a_window_are_cut(tiny_encoder: Encoder) -> None:
    long_text = "woning " * 200
    ids = tiny_encoder.token_ids([long_text])[0]
    assert len(ids) == tiny_encoder.content_budget
    assert tiny_encoder.encode([long_text]).shape == (1, tiny_encoder.dim)


@pytest.mark.parametrize(
    ("n", "budget", "stride", "expected"),
    [(10, 24, 16, [0]), (24, 24, 16, [0]), (25, 24, 16, [0, 1]), (56, 24, 16, [0, 16, 32]), (60, 24, 16, [0, 12, 24, 36])],
)
def test_window_starts(n: int, budget: int, stride: int, expected: list[int]) -> None:
    starts = window_starts(n, budget, stride)
    assert starts == expected
    assert starts[-1] + budget >= n and all(b - a <= stride for a, b in zip(starts, starts[1:], strict=False))


def test_length_batches_group_similar_lengths() -> None:
    batches = length_batches([5, 50, 6, 48, 7, 49], 2)
    assert batches == [[1, 5], [3, 4], [2, 0]]


def test_int8_quantisation_is_measured(tiny_folder, tiny_settings) -> None:
    encoder = Encoder.from_folder(tiny_folder, tiny_settings)
    before = encoder.encode(["de regering zegt het"])
    report = encoder.quantise_int8()
    assert report.n_texts == 8 and -1.0 <= report.min_cosine <= report.mean_cosine <= 1.0
    assert encoder.quantised == report.accepted
    after = encoder.encode(["de regering zegt het"])
    if report.accepted:
        assert not np.array_equal(before, after)
        assert encoder.fingerprint.endswith("+int8-dynamic")  # float heads are refused with it
    else:
        np.testing.assert_array_equal(before, after)


def test_missing_folder_is_a_clear_error(tmp_path) -> None:
    from classifier.encoding.base_model import BaseModelError

    with pytest.raises(BaseModelError, match="prepare-base"):
        Encoder.from_folder(tmp_path / "nothing")


def test_a_head_trained_on_float_embeddings_is_refused_by_the_int8_encoder(tiny_folder, tiny_settings, tmp_path) -> None:
    from classifier.scoring.heads import fit_head
    from classifier.versions import VersionError, load_version, write_version_folder

    float_encoder = Encoder.from_folder(tiny_folder, tiny_settings)
    texts = ["de regering zegt het", "het kabinet wil geld", "nep nieuws van de elite", "geheim plan overheid"] * 3
    trained = fit_head(float_encoder.encode(texts), np.array([0, 0, 1, 1] * 3))
    folder = write_version_folder(tmp_path / "v", name="v", task="disinformation", trained=trained,
                                  encoder=float_encoder, training={})
    assert load_version(folder, float_encoder).info.name == "v"
    int8_encoder = Encoder.from_folder(tiny_folder, tiny_settings)
    assert int8_encoder.quantise_int8().accepted  # the tiny model quantises almost losslessly
    assert int8_encoder.fingerprint == float_encoder.fingerprint + "+int8-dynamic"
    with pytest.raises(VersionError, match="trained on encoder"):
        load_version(folder, int8_encoder)
