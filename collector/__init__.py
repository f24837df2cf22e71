"""collector: scheduled, polite, safe collection of public news feeds into ``items``.

One source's walk (see each module's docstring)::

    plan      (pure)  which sources are due; backoff; adaptive interval; disable after N failures
    guard             resolve the host, refuse private/loopback/link-local/metadata addresses
    fetch             polite async HTTP: conditional GET, robots.txt, per-host limits, retries, size
    parse             feedparser (XML screened by defusedxml first) or JSON Feed
    normalize (pure)  canonical URL, entry key, clean text, content hash
    dedup             exact (content hash) and near duplicates across sources (MinHash LSH)
    pages             article pages: full text (trafilatura) and page processors per kind
    writer            storage.repositories.fetches.upsert_fetch: one transaction per fetch
    run               Collector: leases, concurrency, report

Public API: ``Collector``, ``CollectReport``, ``SourceOutcome``, ``CollectorSettings``,
``PageProcessors``/``PageProcessor``/``default_page_processors``, ``ErrorKind``,
``DEFAULT_SOURCES_FILE``, ``DEFAULT_FACTCHECKERS_FILE``, ``network_available`` (``PROBE_HOSTS``,
``PROBE_TIMEOUT_SECONDS``), the fact-check readers (``parse_claimreview_json``,
``parse_factcheck_csv``; ``FACTCHECK_KIND`` and ``store_claim_reviews``, the page processor of
fact-check sources), the source lists (``read_source_list``, ``render_opml``, ``render_toml``,
``SourceListError``), ``new_owner_id`` (lease owners), and the error root ``CollectorError``.
"""

from importlib import import_module
from pathlib import Path
from typing import Any

from collector.connectivity import PROBE_HOSTS, PROBE_TIMEOUT_SECONDS, network_available
from collector.errors import CollectorError, ErrorKind, FetchFailure
from collector.settings import CollectorSettings

DEFAULT_SOURCES_FILE = Path(__file__).resolve().parent / "data" / "default_sources.toml"
DEFAULT_FACTCHECKERS_FILE = Path(__file__).resolve().parent / "data" / "factcheckers.toml"

# The pipeline pulls in httpx, trafilatura, datasketch and feedparser (about a second of
# imports); CLI commands that only need a source list or a setting should not pay for it.
_LAZY = {
    "Collector": "collector.run",
    "CollectReport": "collector.run",
    "SourceOutcome": "collector.pipeline",
    "PageProcessor": "collector.pages",
    "PageProcessors": "collector.pages",
    "default_page_processors": "collector.pages",
    "new_owner_id": "collector.leases",
    "parse_claimreview_json": "collector.claimreview",
    "parse_factcheck_csv": "collector.factcheck_csv",
    "FACTCHECK_KIND": "collector.factcheck_pages",
    "store_claim_reviews": "collector.factcheck_pages",
    "SourceListError": "collector.source_lists",
    "read_source_list": "collector.source_lists",
    "render_opml": "collector.source_lists",
    "render_toml": "collector.source_lists",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'collector' has no attribute {name!r}")

__all__ = [
    "DEFAULT_FACTCHECKERS_FILE",
    "DEFAULT_SOURCES_FILE",
    "FACTCHECK_KIND",
    "PROBE_HOSTS",
    "PROBE_TIMEOUT_SECONDS",
    "CollectReport",
    "Collector",
    "CollectorError",
    "CollectorSettings",
    "ErrorKind",
    "FetchFailure",
    "PageProcessor",
    "PageProcessors",
    "SourceListError",
    "SourceOutcome",
    "default_page_processors",
    "network_available",
    "new_owner_id",
    "parse_claimreview_json",
    "parse_factcheck_csv",
    "read_source_list",
    "render_opml",
    "render_toml",
    "store_claim_reviews",
]
