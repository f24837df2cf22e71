"""The offline demo corpus: loading and validation.

The corpus lives next to this module in ``corpus/`` as plain files (``sources.toml``,
``items.jsonl``, ``factchecks.jsonl``). It is constructed for the Waakhond demo: fictional
outlets, fictional posts, not real news. Times are stored as ``age_hours`` before an anchor
time that the server chooses, so the corpus is always recent.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from waakhond.errors import UserError

CORPUS_DIR = Path(__file__).parent / "corpus"

FORMATS = ("rss", "atom", "jsonfeed")
SOURCE_KINDS = ("feed", "factcheck")
ITEM_KINDS = ("news", "opinion", "narrative", "official", "debunk")
SPIKES = ("A", "B")
TOPICS = (
    "wonen",
    "stikstof-landbouw",
    "migratie-asiel",
    "klimaat-energie",
    "zorg-vaccinatie",
    "belastingen-toeslagen",
    "bestaanszekerheid",
    "onderwijs",
    "digitale-overheid-geld",
    "defensie-oekraine",
    "verkiezingen-democratie",
    "veiligheid-justitie",
)
# Fact-check pages that are deliberately awkward for the ClaimReview extractor.
PAGE_VARIANTS = ("normal", "two_claims", "malformed_jsonld", "no_jsonld")
# Items are "the last 30 days"; fact-checks reach back about two years.
ITEM_MAX_AGE_HOURS = 720.0
FACTCHECK_MAX_AGE_HOURS = 17_600.0


class CorpusError(UserError, ValueError):
    """The demo corpus files are inconsistent (a reference, a field or a value is wrong)."""


@dataclass(frozen=True)
class DemoSource:
    slug: str
    name: str
    format: str
    kind: str
    full_text: bool
    style: str
    language: str
    description: str
    # What a syndicating outlet puts in front of a copied headline ("Landelijk: ", ...).
    copy_title_prefix: str

    @property
    def feed_extension(self) -> str:
        return "json" if self.format == "jsonfeed" else "xml"

    @property
    def feed_path(self) -> str:
        return f"/feeds/{self.slug}.{self.feed_extension}"


@dataclass(frozen=True)
class DemoItem:
    id: str
    source: str
    age_hours: float
    title: str
    summary: str
    body: str
    author: str
    topic: str
    kind: str
    spike: str | None
    syndicated_to: tuple[str, ...]
    # Slug of the false narrative a narrative post spreads or a debunk item reports on.
    narrative: str | None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.body.split("\n\n") if p.strip())


@dataclass(frozen=True)
class ClaimVerdict:
    """One reviewed claim with its rating, as a fact-checker publishes it."""

    claim_reviewed: str
    rating_text: str
    rating_value: int
    best_rating: int
    worst_rating: int
    appearance: tuple[str, ...]
    claim_author: str


@dataclass(frozen=True)
class DemoFactCheck:
    id: str
    publisher: str
    language: str
    age_hours: float
    headline: str
    verdict: ClaimVerdict
    body: str
    topic: str
    narrative: str | None
    page_variant: str
    second_verdict: ClaimVerdict | None = None

    @property
    def claim_reviewed(self) -> str:
        return self.verdict.claim_reviewed

    @property
    def rating_text(self) -> str:
        return self.verdict.rating_text

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.body.split("\n\n") if p.strip())


@dataclass(frozen=True)
class DemoCorpus:
    sources: tuple[DemoSource, ...]
    items: tuple[DemoItem, ...]
    factchecks: tuple[DemoFactCheck, ...]
    _by_slug: dict[str, DemoSource] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_slug", {s.slug: s for s in self.sources})

    def source(self, slug: str) -> DemoSource:
        try:
            return self._by_slug[slug]
        except KeyError:
            raise CorpusError(f"unknown source {slug!r}") from None

    def items_of(self, slug: str) -> list[DemoItem]:
        return [item for item in self.items if item.source == slug]

    def factchecks_of(self, slug: str) -> list[DemoFactCheck]:
        return [fc for fc in self.factchecks if fc.publisher == slug]


def load_corpus(directory: Path | None = None) -> DemoCorpus:
    """Read and validate the corpus; the packaged one is read once and cached."""
    if directory is None:
        return _load_packaged()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_packaged() -> DemoCorpus:
    return _load(CORPUS_DIR)


def _load(directory: Path) -> DemoCorpus:
    sources = _read_sources(directory / "sources.toml")
    items = [_parse_item(row, n) for n, row in _read_jsonl(directory / "items.jsonl")]
    factchecks = [_parse_factcheck(row, n) for n, row in _read_jsonl(directory / "factchecks.jsonl")]
    corpus = DemoCorpus(tuple(sources), tuple(items), tuple(factchecks))
    validate(corpus)
    return corpus


def _read_sources(path: Path) -> list[DemoSource]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{path.name}: {exc}") from exc
    sources = []
    for number, entry in enumerate(doc.get("source", []), start=1):
        try:
            sources.append(
                DemoSource(
                    slug=entry["slug"],
                    name=entry["name"],
                    format=entry["format"],
                    kind=entry["kind"],
                    full_text=bool(entry["full_text"]),
                    style=entry["style"],
                    language=entry.get("language", "nl"),
                    description=entry.get("description", ""),
                    copy_title_prefix=entry.get("copy_title_prefix", ""),
                )
            )
        except KeyError as exc:
            raise CorpusError(f"{path.name}: source #{number} lacks {exc.args[0]!r}") from None
    return sources


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path.name}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path.name} line {number}: {exc.msg}") from None
    return rows


def _parse_item(row: dict, line: int) -> DemoItem:
    try:
        return DemoItem(
            id=row["id"],
            source=row["source"],
            age_hours=float(row["age_hours"]),
            title=row["title"],
            summary=row["summary"],
            body=row.get("body", ""),
            author=row["author"],
            topic=row["topic"],
            kind=row["kind"],
            spike=row.get("spike"),
            syndicated_to=tuple(row.get("syndicated_to", ())),
            narrative=row.get("narrative"),
        )
    except KeyError as exc:
        raise CorpusError(f"items.jsonl line {line}: missing {exc.args[0]!r}") from None


def _parse_verdict(row: dict) -> ClaimVerdict:
    return ClaimVerdict(
        claim_reviewed=row["claim_reviewed"],
        rating_text=row["rating_text"],
        rating_value=int(row["rating_value"]),
        best_rating=int(row["best_rating"]),
        worst_rating=int(row["worst_rating"]),
        appearance=tuple(row.get("appearance", ())),
        claim_author=row["claim_author"],
    )


def _parse_factcheck(row: dict, line: int) -> DemoFactCheck:
    try:
        second = row.get("second_review")
        return DemoFactCheck(
            id=row["id"],
            publisher=row["publisher"],
            language=row["language"],
            age_hours=float(row["age_hours"]),
            headline=row["headline"],
            verdict=_parse_verdict(row),
            body=row["body"],
            topic=row["topic"],
            narrative=row.get("narrative"),
            page_variant=row.get("page_variant", "normal"),
            second_verdict=_parse_verdict(second) if second else None,
        )
    except KeyError as exc:
        raise CorpusError(f"factchecks.jsonl line {line}: missing {exc.args[0]!r}") from None


def validate(corpus: DemoCorpus) -> None:
    """Check references and value ranges; raise ``CorpusError`` with every problem found."""
    problems: list[str] = []
    slugs = [s.slug for s in corpus.sources]
    if len(set(slugs)) != len(slugs):
        problems.append("duplicate source slugs")
    for s in corpus.sources:
        if s.format not in FORMATS:
            problems.append(f"source {s.slug}: format {s.format!r}")
        if s.kind not in SOURCE_KINDS:
            problems.append(f"source {s.slug}: kind {s.kind!r}")
    feed_slugs = {s.slug for s in corpus.sources if s.kind == "feed"}
    factcheck_slugs = {s.slug for s in corpus.sources if s.kind == "factcheck"}

    ids = [i.id for i in corpus.items] + [f.id for f in corpus.factchecks]
    if len(set(ids)) != len(ids):
        problems.append("duplicate item or fact-check ids")
    for item in corpus.items:
        where = f"item {item.id}"
        if item.source not in feed_slugs:
            problems.append(f"{where}: source {item.source!r} is not a feed source")
        if item.topic not in TOPICS:
            problems.append(f"{where}: topic {item.topic!r}")
        if item.kind not in ITEM_KINDS:
            problems.append(f"{where}: kind {item.kind!r}")
        if item.spike is not None and (item.spike not in SPIKES or item.kind != "narrative"):
            problems.append(f"{where}: spike {item.spike!r} needs a narrative item and A or B")
        if item.kind == "narrative" and not item.narrative:
            problems.append(f"{where}: a narrative item names its narrative")
        if not 0.0 <= item.age_hours <= ITEM_MAX_AGE_HOURS:
            problems.append(f"{where}: age_hours {item.age_hours} outside the 30 days")
        for target in item.syndicated_to:
            if target not in feed_slugs or target == item.source:
                problems.append(f"{where}: cannot be syndicated to {target!r}")
        if len(set(item.syndicated_to)) != len(item.syndicated_to):
            problems.append(f"{where}: syndicated twice to one source")
        if not item.title.strip() or not item.summary.strip():
            problems.append(f"{where}: empty title or summary")
    for fc in corpus.factchecks:
        where = f"fact-check {fc.id}"
        if fc.publisher not in factcheck_slugs:
            problems.append(f"{where}: publisher {fc.publisher!r} is not a factcheck source")
        if fc.language not in ("nl", "en"):
            problems.append(f"{where}: language {fc.language!r}")
        if fc.topic not in TOPICS:
            problems.append(f"{where}: topic {fc.topic!r}")
        if fc.page_variant not in PAGE_VARIANTS:
            problems.append(f"{where}: page_variant {fc.page_variant!r}")
        if (fc.page_variant == "two_claims") != (fc.second_verdict is not None):
            problems.append(f"{where}: exactly the two_claims page has a second review")
        if not 0.0 <= fc.age_hours <= FACTCHECK_MAX_AGE_HOURS:
            problems.append(f"{where}: age_hours {fc.age_hours}")
        for verdict in filter(None, (fc.verdict, fc.second_verdict)):
            low, high = sorted((verdict.worst_rating, verdict.best_rating))
            if not low <= verdict.rating_value <= high:
                problems.append(f"{where}: rating {verdict.rating_value} outside {low}..{high}")
    if problems:
        raise CorpusError("; ".join(problems[:20]) + (" ..." if len(problems) > 20 else ""))
