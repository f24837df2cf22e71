"""The root of the briefing's errors (``BriefingError``)."""

from __future__ import annotations


class BriefingError(Exception):
    """Base class of the briefing's errors: an unknown topic or week, a render that failed."""
