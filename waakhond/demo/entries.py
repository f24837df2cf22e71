"""What each demo feed publishes: originals, syndicated copies and fact-check pages.

Pure functions over the corpus. Identifiers do not depend on the server's port, so a test can
compare ``expected_items()`` with what a collector stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import DemoCorpus, DemoFactCheck, DemoItem, load_corpus

# Tag URIs (RFC 4151) are valid Atom ids and RSS guids and stay the same on every port.
GUID_PREFIX = "tag:waakhond.demo,2025:"


@dataclass(frozen=True)
class FeedEntry:
    """One entry in one source's feed."""

    source: str
    guid: str
    page_path: str
    title: str
    summary: str
    author: str
    topic: str
    age_hours: float
    item: DemoItem | None = None
    factcheck: DemoFactCheck | None = None
    copied_from: str | None = None

    @property
    def is_copy(self) -> bool:
        return self.copied_from is not None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        if self.item is not None:
            return self.item.paragraphs
        assert self.factcheck is not None
        return self.factcheck.paragraphs


def item_guid(item: DemoItem) -> str:
    return f"{GUID_PREFIX}{item.source}/{item.id}"


def copy_guid(item: DemoItem, target: str) -> str:
    return f"{GUID_PREFIX}{target}/{item.id}-copy"


def factcheck_guid(fc: DemoFactCheck) -> str:
    return f"{GUID_PREFIX}{fc.publisher}/{fc.id}"


def original_entry(item: DemoItem) -> FeedEntry:
    return FeedEntry(
        source=item.source,
        guid=item_guid(item),
        page_path=f"/articles/{item.id}.html",
        title=item.title,
        summary=item.summary,
        author=item.author,
        topic=item.topic,
        age_hours=item.age_hours,
        item=item,
    )


def copy_entry(corpus: DemoCorpus, item: DemoItem, target: str) -> FeedEntry:
    """A near-copy: the syndicating outlet's headline prefix and a source line in the summary."""
    origin = corpus.source(item.source)
    prefix = corpus.source(target).copy_title_prefix
    return FeedEntry(
        source=target,
        guid=copy_guid(item, target),
        page_path=f"/articles/{item.id}-{target}.html",
        title=f"{prefix}{item.title}",
        summary=f"{item.summary} (Bron: {origin.name})",
        author=item.author,
        topic=item.topic,
        age_hours=item.age_hours,
        item=item,
        copied_from=item.source,
    )


def factcheck_entry(fc: DemoFactCheck, publisher_name: str) -> FeedEntry:
    return FeedEntry(
        source=fc.publisher,
        guid=factcheck_guid(fc),
        page_path=f"/factchecks/{fc.id}.html",
        title=fc.headline,
        summary=fc.claim_reviewed if fc.language == "en" else f"Bewering: {fc.claim_reviewed}",
        author=publisher_name,
        topic=fc.topic,
        age_hours=fc.age_hours,
        factcheck=fc,
    )


def feed_entries(corpus: DemoCorpus, slug: str) -> list[FeedEntry]:
    """Everything the feed of ``slug`` lists, newest first; items dated in the future are left out."""
    source = corpus.source(slug)
    if source.kind == "factcheck":
        entries = [factcheck_entry(fc, source.name) for fc in corpus.factchecks_of(slug)]
    else:
        entries = [original_entry(item) for item in corpus.items_of(slug)]
        entries += [copy_entry(corpus, item, slug) for item in corpus.items if slug in item.syndicated_to]
    published = [e for e in entries if e.age_hours >= 0]
    return sorted(published, key=lambda e: (e.age_hours, e.guid))


def all_entries(corpus: DemoCorpus) -> list[FeedEntry]:
    return [entry for source in corpus.sources for entry in feed_entries(corpus, source.slug)]


def page_index(corpus: DemoCorpus) -> dict[str, FeedEntry]:
    """Page path -> entry, for every page the server can render."""
    return {entry.page_path: entry for entry in all_entries(corpus)}


def expected_items(
    corpus: DemoCorpus | None = None, *, include_factchecks: bool = True
) -> list[tuple[str, str]]:
    """(source slug, guid) for every entry the demo feeds publish, syndicated copies included."""
    corpus = corpus or load_corpus()
    return [
        (entry.source, entry.guid)
        for entry in all_entries(corpus)
        if include_factchecks or entry.factcheck is None
    ]


def spike_item_guids(
    spike: str, corpus: DemoCorpus | None = None, *, include_copies: bool = True
) -> list[str]:
    """Guids of the items of spike ``"A"`` or ``"B"`` (and, by default, their syndicated copies)."""
    if spike not in ("A", "B"):
        raise ValueError(f"spike must be 'A' or 'B', not {spike!r}")
    corpus = corpus or load_corpus()
    return [
        entry.guid
        for entry in all_entries(corpus)
        if entry.item is not None and entry.item.spike == spike and (include_copies or not entry.is_copy)
    ]
