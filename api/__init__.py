"""The read-only HTTP API (floor 3, beside ``dashboard``): signals, narratives, trends,
fact-checks and sources' health as JSON under ``/api/v1``, and signals as an Atom feed, for
holders of an API token (``waakhond tokens add``).

It reads only through ``storage``; ``waakhond`` wires it (``waakhond api``). The FastAPI app is
built by ``api.app.create_app(ApiContext)``; this module stays light, because the settings
import it on every command.
"""

from api.settings import ApiSettings

__all__ = ["ApiSettings"]
