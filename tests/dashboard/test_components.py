"""Pure parts of the dashboard: scores in words, safe links, evidence, CSV, filters, tokens, i18n."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dashboard import messages
from dashboard.auth import is_expired, issue_token, read_token
from dashboard.components import (
    csv_text,
    evidence_html,
    link_html,
    locate_evidence,
    safe_url,
    score_band,
)
from dashboard.filters import CUSTOM_PERIOD, filter_params, parse_filters
from dashboard.settings import DashboardSettings
from storage.read_models.signals import SORT_KEYS
from storage.schema import LABELS, MODEL_STATUSES, RATINGS, ROLES

SETTINGS = DashboardSettings()
DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


@pytest.mark.parametrize(("score", "band"), [
    (0.97, "score.very_high"), (0.9, "score.very_high"), (0.75, "score.high"), (0.5, "score.possible"),
    (0.1, "score.low"),
])
def test_score_bands(score, band):
    assert score_band(score, SETTINGS) == band


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,<script>",
    "vbscript:x", "//evil.example/x", "/relative", "https:///nohost", "http://a b.example/", None, "",
])
def test_unsafe_urls_never_become_links(url):
    assert safe_url(url) is None
    assert "<a " not in link_html(url, "<b>titel</b>")
    assert "&lt;b&gt;titel&lt;/b&gt;" in link_html(url, "<b>titel</b>")


def test_safe_links_are_escaped():
    html = link_html('https://x.example/?a="><script>', "t")
    assert '<script>' not in html and 'href="https://x.example/?a=&quot;&gt;&lt;script&gt;"' in html


def test_evidence_is_found_by_offsets_or_by_search_and_escaped():
    body = "Eerste alinea.\nDe <b>minister</b> liegt. Echt waar.\nLaatste."
    start = body.index("De <b>")
    span = locate_evidence([body], "De <b>minister</b> liegt.", start, start + 25)
    assert span.paragraph == "De <b>minister</b> liegt. Echt waar."
    assert evidence_html(span) == (
        '<p class="waakhond-evidence"><mark>De &lt;b&gt;minister&lt;/b&gt; liegt.</mark> Echt waar.</p>'
    )
    wrong_offsets = locate_evidence(["samenvatting", body], "liegt.", 0, 3)
    assert wrong_offsets.paragraph.endswith("Echt waar.") and wrong_offsets.start == 19
    assert locate_evidence([body], "niet aanwezig") is None


def test_csv_cells_cannot_become_formulas():
    text = csv_text(["a", "b"], [["=HYPERLINK(\"x\")", "-1+2"], ["gewoon", None]])
    assert text.splitlines() == ["a,b", "\"'=HYPERLINK(\"\"x\"\")\",'-1+2", "gewoon,"]


def test_filters_round_trip_and_fall_back_on_bad_values():
    today = date(2025, 5, 31)
    state = parse_filters({"days": "7", "topic": "3", "source": "x", "min_score": "0.73", "language": "nl"}, today, 30)
    assert (state.first_day, state.last_day) == (date(2025, 5, 25), today)
    assert (state.topic_id, state.source_id, state.min_score, state.language) == (3, None, 0.7, "nl")
    assert parse_filters(filter_params(state), today, 30) == state
    custom = parse_filters({"from": "2025-01-01", "to": "2025-01-31"}, today, 30)
    assert custom.days == CUSTOM_PERIOD and filter_params(custom) == {"from": "2025-01-01", "to": "2025-01-31"}
    fallback = parse_filters({"days": "12345", "from": "2025-02-01", "to": "2025-01-01", "min_score": "nan?"}, today, 30)
    assert (fallback.days, fallback.min_score) == (30, 0.0)


def test_tokens_are_signed_and_expire():
    issued = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    token = issue_token("secret", 42, issued)
    assert read_token("secret", token) == (42, issued)
    assert read_token("other secret", token) is None
    user, stamp, nonce, signature = token.split(".")
    assert read_token("secret", f"1.{stamp}.{nonce}.{signature}") is None  # another user id
    assert read_token("secret", None) is None and read_token("secret", "a.b") is None
    assert not is_expired(issued, issued + timedelta(minutes=479), 480)
    assert is_expired(issued, issued + timedelta(minutes=480), 480)


def test_every_message_has_dutch_and_english():
    for key, entry in messages.MESSAGES.items():
        assert entry.get("nl") and entry.get("en"), key
        assert re.findall(r"{(\w+)}", entry["nl"]) == re.findall(r"{(\w+)}", entry["en"]), key


def test_every_message_used_in_the_code_exists():
    used: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        source = path.read_text()
        used.update(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""", source))
        used.update(re.findall(r"""\(\s*["']((?:overview|login|score)\.[a-z_0-9]+)["']""", source))
    families = {"role": ROLES, "label": LABELS, "rating": RATINGS, "status": MODEL_STATUSES, "sort": SORT_KEYS,
                "reason": ("classifier", "claim_match"), "language": ("nl", "en"),
                "page": ("overzicht", "signalen", "labelen", "factchecks", "modellen", "bronnen", "onderwerpen",
                         "beheer"),
                "origin": ("collected", "imported", "manual")}
    used.update(f"{family}.{value}" for family, values in families.items() for value in values)
    missing = sorted(k for k in used if k not in messages.MESSAGES)
    assert not missing, missing
