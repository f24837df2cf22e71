"""The root of the dashboard's errors (``DashboardError``)."""

from __future__ import annotations


class DashboardError(Exception):
    """Base class of the dashboard's errors: an action the signed-in role may not take."""
