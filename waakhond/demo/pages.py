"""HTML pages of the demo sites: item pages, fact-check pages with ClaimReview JSON-LD, index."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

from .corpus import ClaimVerdict, DemoCorpus, DemoFactCheck, DemoSource
from .entries import FeedEntry
from .render import TOPIC_LABELS, entry_time, rfc3339

MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NAVIGATION = ("Binnenland", "Politiek", "Economie", "Regio", "Opinie", "Factcheck")
# The broken script tag of the "malformed_jsonld" page: cut off mid-object, as a buggy CMS does.
MALFORMED_JSONLD = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "'


def human_date(moment: datetime, language: str) -> str:
    if language == "en":
        return f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"
    return f"{moment.day} {MONTHS_NL[moment.month - 1]} {moment.year}, {moment:%H:%M} uur (UTC)"


def _page(source: DemoSource, title: str, head_extra: str, main: str, language: str) -> bytes:
    nav = "".join(f'<li><a href="/#{n.lower()}">{n}</a></li>' for n in NAVIGATION)
    page = f"""<!DOCTYPE html>
<html lang="{escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | {escape(source.name)}</title>
{head_extra}
</head>
<body>
<header class="site-header">
<a class="logo" href="/">{escape(source.name)}</a>
<nav aria-label="Hoofdmenu"><ul>{nav}</ul></nav>
<form class="search" action="/zoeken"><input name="q" placeholder="Zoeken"></form>
</header>
<main>
{main}
</main>
<footer class="site-footer">
<p>{escape(source.name)} is een fictieve website, gemaakt voor de demo van Waakhond. Niets op deze pagina is echt nieuws.</p>
<ul><li><a href="/">Colofon</a></li><li><a href="/">Privacy</a></li><li><a href="/">Cookie-instellingen</a></li><li><a href="/robots.txt">Voor robots</a></li></ul>
<p>&copy; {escape(source.name)}. Alle rechten voorbehouden.</p>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")


def article_page(corpus: DemoCorpus, entry: FeedEntry, anchor: datetime, base_url: str) -> bytes:
    """The page of a news item or post, as the outlet in ``entry.source`` shows it."""
    assert entry.item is not None
    source = corpus.source(entry.source)
    moment = entry_time(anchor, entry.age_hours)
    url = base_url + entry.page_path
    head = "\n".join(
        (
            f'<meta name="description" content="{escape(entry.summary)}">',
            f'<link rel="canonical" href="{escape(url)}">',
            f'<meta property="og:title" content="{escape(entry.title)}">',
            f'<meta property="og:site_name" content="{escape(source.name)}">',
            f'<meta property="article:published_time" content="{rfc3339(moment)}">',
            f'<meta name="author" content="{escape(entry.author)}">',
        )
    )
    parts = [
        "<article>",
        f'<p class="rubriek">{escape(TOPIC_LABELS[entry.topic])}</p>',
        f"<h1>{escape(entry.title)}</h1>",
        f'<p class="byline">Door {escape(entry.author)} &middot; '
        f'<time datetime="{rfc3339(moment)}">{human_date(moment, "nl")}</time></p>',
        f'<p class="intro"><strong>{escape(entry.summary)}</strong></p>',
    ]
    if source.full_text and entry.paragraphs:
        parts += [f"<p>{escape(p)}</p>" for p in entry.paragraphs]
    else:
        parts.append(
            '<div class="afgeschermd"><p>Het volledige bericht is alleen te lezen met een account.</p>'
            '<p><a href="/">Log in</a> of <a href="/">neem een abonnement</a>.</p></div>'
        )
    if entry.copied_from is not None:
        origin = corpus.source(entry.copied_from)
        parts.append(f'<p class="bron">Dit bericht verscheen eerder bij {escape(origin.name)}.</p>')
    parts.append("</article>")
    aside = (
        '<aside class="gerelateerd"><h2>Meer in deze rubriek</h2>'
        f'<p><a href="/#{escape(entry.topic)}">Alles over {escape(TOPIC_LABELS[entry.topic].lower())}</a></p>'
        '<p class="advertentie">Advertentie</p></aside>'
    )
    return _page(source, entry.title, head, "\n".join(parts) + "\n" + aside, source.language)


def _verdict_ld(
    fc: DemoFactCheck, verdict: ClaimVerdict, publisher: DemoSource, url: str, published: str
) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "datePublished": published,
        "inLanguage": fc.language,
        "headline": fc.headline,
        "claimReviewed": verdict.claim_reviewed,
        "author": {"@type": "Organization", "name": publisher.name},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": verdict.rating_text,
            "ratingValue": verdict.rating_value,
            "bestRating": verdict.best_rating,
            "worstRating": verdict.worst_rating,
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": list(verdict.appearance),
            "author": {"@type": "Organization", "name": verdict.claim_author},
        },
    }


def claimreview_jsonld(fc: DemoFactCheck, publisher: DemoSource, url: str, published: str) -> str:
    """The JSON-LD text of a fact-check page (two reviews go into one ``@graph``)."""
    first = _verdict_ld(fc, fc.verdict, publisher, url, published)
    if fc.second_verdict is None:
        doc = first
    else:
        second = _verdict_ld(fc, fc.second_verdict, publisher, url, published)
        graph = []
        for review in (first, second):
            review = dict(review)
            review.pop("@context")
            graph.append(review)
        doc = {"@context": "https://schema.org", "@graph": graph}
    # "</" cannot end the script element early when written as "<\/".
    return json.dumps(doc, ensure_ascii=False, indent=1).replace("</", "<\\/")


def factcheck_page(corpus: DemoCorpus, entry: FeedEntry, anchor: datetime, base_url: str) -> bytes:
    fc = entry.factcheck
    assert fc is not None
    publisher = corpus.source(fc.publisher)
    moment = entry_time(anchor, fc.age_hours)
    url = base_url + entry.page_path
    published = rfc3339(moment)
    english = fc.language == "en"
    scripts = []
    if fc.page_variant == "malformed_jsonld":
        scripts.append(f'<script type="application/ld+json">{MALFORMED_JSONLD}</script>')
    if fc.page_variant != "no_jsonld":
        scripts.append(
            '<script type="application/ld+json">\n'
            f"{claimreview_jsonld(fc, publisher, url, published)}\n</script>"
        )
    head = "\n".join(
        [
            f'<meta name="description" content="{escape(fc.claim_reviewed)}">',
            f'<link rel="canonical" href="{escape(url)}">',
            f'<meta property="article:published_time" content="{published}">',
            *scripts,
        ]
    )
    claim_label, verdict_label, by = (
        ("Claim", "Our verdict", "By") if english else ("Bewering", "Ons oordeel", "Door")
    )
    verdicts = [fc.verdict, *([fc.second_verdict] if fc.second_verdict else [])]
    boxes = "".join(
        f'<div class="claim-box"><p><strong>{claim_label}:</strong> {escape(v.claim_reviewed)}</p>'
        f'<p><strong>{verdict_label}:</strong> <span class="rating">{escape(v.rating_text)}</span></p></div>'
        for v in verdicts
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in fc.paragraphs)
    team = "The CheckPoint team" if english else "De factcheckredactie"
    main = (
        f'<article class="factcheck">\n<h1>{escape(fc.headline)}</h1>\n'
        f'<p class="byline">{by} {team} &middot; <time datetime="{published}">'
        f"{human_date(moment, fc.language)}</time></p>\n{boxes}\n{paragraphs}\n</article>"
    )
    return _page(publisher, fc.headline, head, main, fc.language)


def index_page(corpus: DemoCorpus, base_url: str) -> bytes:
    rows = "".join(
        f'<li><a href="{escape(base_url + s.feed_path)}">{escape(s.name)}</a> '
        f"({escape(s.format)}, {escape(s.kind)}) &mdash; {escape(s.style)}</li>"
        for s in corpus.sources
    )
    page = f"""<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><title>Waakhond demo-feeds</title></head>
<body>
<h1>Waakhond demo-feeds</h1>
<p>Constructed for the Waakhond demo: fictional outlets, fictional posts, not real news.</p>
<ul>{rows}</ul>
</body>
</html>
"""
    return page.encode("utf-8")


ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
