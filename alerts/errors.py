"""The root of every error the alerts package raises (``AlertsError``)."""

from __future__ import annotations


class AlertsError(Exception):
    """Base class of the alerts package's errors: a rule's parameters, a channel's
    configuration, a delivery that failed."""
