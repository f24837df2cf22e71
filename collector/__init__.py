"""collector: scheduled, polite, safe collection of public news feeds into ``items``.

One source's walk (see each module's docstring)::

    plan      (pure)  which sources are due; backoff; adaptive interval; disable after N failures
    guard             resolve the host, refuse private/loopback/link-local/metadata addresses
    fetch             polite async HTTP: conditional GET, robots.txt, per-host limits, retries, size
    parse             feedparser (XML screened by defusedxml first) or JSON Feed
    normalize (pure)  canonical URL, entry key, clean text, content hash
    dedup             exact (content hash) and near duplicates across sources (MinHash LSH)
    pages             article pages: full text (trafilatura) and page processors per kind
    writer            storage.fetching.upsert_fetch: one transaction per fetch
    run               Collector: leases, concurrency, report

Public API: ``Collector``, ``CollectReport``, ``SourceOutcome``, ``CollectorSettings``,
``PageProcessors``/``PageProcessor``/``default_page_processors``, ``ErrorKind``,
``DEFAULT_SOURCES_FILE``, ``DEFAULT_FACTCHECKERS_FILE``, ``network_available``.
"""

from importlib import import_module
from pathlib import Path
from typing import Any

from collector.connectivity import network_available
from collector.errors import ErrorKind, FetchFailure
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
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'collector' has no attribute {name!r}")

__all__ = [
    "DEFAULT_FACTCHECKERS_FILE",
    "DEFAULT_SOURCES_FILE",
    "CollectReport",
    "Collector",
    "CollectorSettings",
    "ErrorKind",
    "FetchFailure",
    "PageProcessor",
    "PageProcessors",
    "SourceOutcome",
    "default_page_processors",
    "network_available",
]
