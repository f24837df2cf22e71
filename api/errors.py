"""The root of the API's errors (``ApiError``); each becomes an HTTP 400 with its message."""

from __future__ import annotations


class ApiError(Exception):
    """Base class of the API's errors: a bad query parameter or paging cursor."""
