"""The root of the classifier's errors (``ClassifierError``)."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class of the classifier's errors: a base model, training data, a matcher or
    narrative reference that cannot be used, shared data that is missing."""
