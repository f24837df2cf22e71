"""Typed errors raised by the repository functions. Callers translate them for users."""

from __future__ import annotations


class StorageError(Exception):
    """Base class for storage errors."""


class InvalidInput(StorageError, ValueError):
    """A value cannot be stored as given (bad URL, unknown kind, interval out of range...)."""


class NotFound(StorageError, LookupError):
    """The row asked for does not exist."""


class AlreadyExists(StorageError):
    """A row with the same identity exists and the caller asked not to reuse it."""
