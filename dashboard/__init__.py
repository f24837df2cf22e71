"""The dashboard (floor 2): Streamlit pages that show what storage holds, in Dutch first, for
the communication team and analysts; it writes only through storage's repositories (labels,
fact-checks, source actions, users), and asks the classifier for model metadata.

    app         the Streamlit entry (``waakhond dashboard`` starts it as a subprocess)
    pages/      one module per page (signalen, verhalen, onderwerpen, bronnen, labelen, ...)
    auth        logins, sessions and roles     messages   every user-facing text (nl, en)

The face offers the dashboard's settings section, its error root ``DashboardError``, and
``main(context)``, the app the entry script runs (loaded only when asked for: importing the face
must not start Streamlit).
"""

from typing import Any

from dashboard.errors import DashboardError
from dashboard.settings import DashboardSettings


def __getattr__(name: str) -> Any:
    if name == "main":  # the Streamlit app: only the entry script asks for it
        from dashboard.app import main

        return main
    raise AttributeError(f"module 'dashboard' has no attribute {name!r}")


__all__ = ["DashboardError", "DashboardSettings", "main"]
