"""Every string a user sees, in Dutch (default) and English.

The language is part of the URL (``?lang=en``), so a shared view opens in the same language.
"""

from __future__ import annotations

import streamlit as st

from dashboard.messages import MESSAGES

LANGUAGES = ("nl", "en")
LANGUAGE_PARAM = "lang"
_STATE_KEY = "waakhond_language"


def set_language(language: str) -> None:
    st.session_state[_STATE_KEY] = language if language in LANGUAGES else LANGUAGES[0]


def current_language() -> str:
    return st.session_state.get(_STATE_KEY, LANGUAGES[0])


def choose_language(default: str) -> str:
    """The URL's language, else the default; remembered for the session."""
    wanted = st.query_params.get(LANGUAGE_PARAM, st.session_state.get(_STATE_KEY, default))
    set_language(wanted)
    return current_language()


def translate(key: str, language: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        raise KeyError(f"no message {key!r}")
    text = entry.get(language) or entry["nl"]
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    return translate(key, current_language(), **values)
