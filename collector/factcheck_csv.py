"""Curated fact-check lists as CSV (``waakhond factchecks import FILE.csv``).

Columns (a header row is required; order is free; UTF-8, comma or semicolon separated):

    url           required  the fact-check article
    claim         required  the claim that was checked, as the fact-checker wrote it
    rating                  the published verdict ("Onwaar", "Misleading", "mostly_false"...);
                            normalised with collector.ratings, the text is kept as well
    publisher               the fact-checker (default: the URL's host)
    date                    publication date, ISO 8601 (2024-03-12 or 2024-03-12T09:30:00+01:00)
    language                language of the claim (nl, en, fr, de...)
    claim_author            who made the claim
    appearances             where the claim appeared: URLs separated by spaces or "|"
    rating_value, best_rating, worst_rating
                            numeric rating, used when the rating text is not known

Pure: text in, ``FactCheckSpec`` out; a bad row raises ``ValueError`` naming its line.
"""

from __future__ import annotations

import csv
import io
import re

from collector.claimreview import language_code, parse_date
from collector.ratings import normalise_rating, to_float
from storage.repositories import FactCheckSpec

REQUIRED_COLUMNS = ("url", "claim")
OPTIONAL_COLUMNS = (
    "rating", "publisher", "date", "language", "claim_author", "appearances",
    "rating_value", "best_rating", "worst_rating",
)
_APPEARANCE_SEPARATORS = re.compile(r"[\s|]+")


def parse_factcheck_csv(text: str) -> list[FactCheckSpec]:
    text = text.lstrip("\ufeff")  # spreadsheet programs write a byte-order mark
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"CSV lacks the column(s) {', '.join(missing)} (header: {', '.join(columns) or 'none'})")
    unknown = sorted(set(columns) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
    if unknown:
        raise ValueError(f"CSV has unknown column(s) {', '.join(unknown)}")
    specs = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        specs.append(_spec(row, line))
    return specs


def _spec(row: dict[str, str], line: int) -> FactCheckSpec:
    if not row.get("url") or not row.get("claim"):
        raise ValueError(f"line {line}: url and claim are required")
    date = row.get("date") or None
    published = parse_date(date)
    if date and published is None:
        raise ValueError(f"line {line}: not a date: {date!r} (use ISO 8601, e.g. 2024-03-12)")
    numbers = {k: row.get(k) or None for k in ("rating_value", "best_rating", "worst_rating")}
    for key, value in numbers.items():
        if value is not None and to_float(value) is None:
            raise ValueError(f"line {line}: {key} is not a number: {value!r}")
    rating_text = row.get("rating") or None
    return FactCheckSpec(
        url=row["url"],
        claim_reviewed=row["claim"],
        publisher=row.get("publisher") or "",
        rating=normalise_rating(rating_text, numbers["rating_value"], numbers["best_rating"],
                                numbers["worst_rating"]).rating,
        rating_text=rating_text,
        rating_value=to_float(numbers["rating_value"]),
        best_rating=to_float(numbers["best_rating"]),
        worst_rating=to_float(numbers["worst_rating"]),
        claim_author=row.get("claim_author") or None,
        appearances=tuple(a for a in _APPEARANCE_SEPARATORS.split(row.get("appearances", "")) if a),
        published_at=published,
        language=language_code(row.get("language")),
    )
