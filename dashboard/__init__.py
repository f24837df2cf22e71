"""The dashboard (floor 2): Streamlit pages that show what storage holds, in Dutch first, for
the communication team and analysts; it writes only through storage's repositories (labels,
fact-checks, source actions, users), and asks the classifier for model metadata.

    app         the Streamlit entry (``waakhond dashboard`` starts it as a subprocess)
    pages/      one module per page (signalen, verhalen, onderwerpen, bronnen, labelen, ...)
    auth        logins, sessions and roles     messages   every user-facing text (nl, en)

The face offers the dashboard's settings section only: importing it must not start Streamlit.
"""

from dashboard.settings import DashboardSettings

__all__ = ["DashboardSettings"]
