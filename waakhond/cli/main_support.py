"""Small helpers shared by the command modules."""

from __future__ import annotations

import getpass
import os

import typer

from waakhond.context import AppContext

ACTOR_ENV = "WAAKHOND_ACTOR"


def context_of(ctx: typer.Context) -> AppContext:
    """The AppContext the root callback built from the settings."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):  # only when a command is invoked outside the app
        root.obj = AppContext()
    return root.obj


def actor_name() -> str:
    """Who is acting, for the audit log: ``cli:<os user>`` (or $WAAKHOND_ACTOR)."""
    explicit = os.environ.get(ACTOR_ENV)
    if explicit:
        return explicit
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"cli:uid{os.getuid()}"
