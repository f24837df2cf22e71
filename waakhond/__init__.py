"""Waakhond: the composition root (CLI, settings, wiring). Nothing else imports it."""

__version__ = "0.1.0"
