"""The Streamlit entry script: ``streamlit run waakhond/dashboard_app.py`` (or ``waakhond dashboard``).

It builds the application context from the settings (environment, ``waakhond.toml``) and hands
it to ``dashboard.app.main``; the dashboard's pages never read the environment themselves.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import main
from waakhond.context import AppContext
from waakhond.settings import Settings


@st.cache_resource(show_spinner=False)
def _context(_settings: Settings, fingerprint: str) -> AppContext:
    """One context (engine, session factories) per distinct settings, shared by all sessions."""
    return AppContext(_settings)


def _fingerprint(settings: Settings) -> str:
    # model_dump_json masks secrets, so the key adds a digest of the secret itself
    secret = hashlib.sha256(settings.secret_key.get_secret_value().encode()).hexdigest()
    return f"{settings.model_dump_json()}|{secret}"


_settings = Settings()
main(_context(_settings, _fingerprint(_settings)))
