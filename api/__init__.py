"""The read-only HTTP API (floor 3, beside ``dashboard``): signals, narratives, trends,
fact-checks and sources' health as JSON under ``/api/v1``, and signals as an Atom feed, for
holders of an API token (``waakhond tokens add``).

It reads only through ``storage``; ``waakhond`` wires it (``waakhond api``). The FastAPI app is
built by ``create_app(ApiContext)``. This module stays light, because the settings import it
on every command: its face offers the settings section, the error root ``ApiError``, the
context the caller builds (``ApiContext``, ``GuidanceLink``) and ``create_app``, which loads
FastAPI only when it is first asked for.
"""

from typing import Any

from api.context import ApiContext, GuidanceLink
from api.errors import ApiError
from api.settings import ApiSettings


def __getattr__(name: str) -> Any:
    if name == "create_app":  # FastAPI and the routes: about a second of imports
        from api.app import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")


__all__ = ["ApiContext", "ApiError", "ApiSettings", "GuidanceLink", "create_app"]
