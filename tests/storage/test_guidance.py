"""Guidance links (``storage.guidance``): the topic pages and the general isdatechtzo.nl page
with every signal."""

from __future__ import annotations

import pytest

from storage import GUIDANCE_FILE, GuidanceError, StorageError, load_guidance, parse_guidance

TOML = """
[general]
title = "Is dat echt zo?"
url = "https://www.isdatechtzo.nl/"

[topics.wonen]
title = "Wonen - Rijksoverheid"
url = "https://www.rijksoverheid.nl/onderwerpen/huurwoning-zoeken"

[topics.stikstof-en-landbouw]
title = "Stikstof - Rijksoverheid"
url = "https://www.rijksoverheid.nl/onderwerpen/stikstof"
verified = false
"""


def test_links_for_a_signal_end_with_the_general_page():
    guidance = parse_guidance(TOML)
    links = guidance.links_for(["stikstof-en-landbouw", "onbekend", "wonen", "wonen"])
    assert [link.topic for link in links] == ["stikstof-en-landbouw", "wonen", None]
    assert guidance.links_for([]) == [guidance.general]
    assert guidance.general.url == "https://www.isdatechtzo.nl/"
    assert (links[0].verified, guidance.general.verified) == (False, None)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[topics.x]\ntitle='a'\nurl='https://a.nl/'", "lacks a [general]"),
        ("[general]\ntitle='a'\nurl='http://a.nl/'", "needs an https URL"),
        ("[general]\nurl='https://a.nl/'", "has no title"),
        ("[general\n", "invalid guidance TOML"),
    ],
)
def test_bad_guidance_files(text, fragment):
    with pytest.raises(GuidanceError, match=fragment.replace("[", r"\[")):
        parse_guidance(text)


def test_the_shipped_guidance_file_covers_the_general_page():
    if not GUIDANCE_FILE.is_file():
        pytest.skip(f"{GUIDANCE_FILE} is not written yet")
    guidance = load_guidance()
    assert "isdatechtzo.nl" in guidance.general.url
    assert guidance.topics, "at least one policy topic has its official page"
    assert all(link.url.startswith("https://") for link in guidance.topics.values())


def test_a_broken_guidance_file_is_a_storage_error_and_a_value_error(tmp_path):
    with pytest.raises(GuidanceError, match="cannot read") as caught:
        load_guidance(tmp_path / "missing.toml")
    assert isinstance(caught.value, StorageError) and isinstance(caught.value, ValueError)
