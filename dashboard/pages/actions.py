"""How a page changes something: one audited action in its own transaction, as the signed-in
user whose role is checked again on the server, then a notice on the next run.

Messages are shown with st.error / st.success, which render Markdown: anything typed by a user
or coming from a feed is passed through ``plain`` first, so it is shown literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import streamlit as st
from sqlalchemy.orm import Session

import storage
from dashboard.auth import NotAllowed, SessionUser, acting_user, refuse
from dashboard.context import DashboardContext
from dashboard.i18n import t
from storage import StorageError

#: Characters Markdown (which st.error/st.success render) would act on.
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


def plain(text: object) -> str:
    """Text inside a message, shown literally."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def act_as(
    ctx: DashboardContext,
    user: SessionUser,
    role: str,
    action: Callable[[Session, SessionUser], object],
    *,
    failed_key: str,
    notice_state_key: str,
    notice: str,
    known_errors: Mapping[type[Exception], str] | None = None,
) -> None:
    """Run ``action`` in one transaction as ``user`` (refused, and the page stopped, when the
    user no longer has ``role``). A storage or input error is shown (``known_errors`` maps an
    error type to its own message) and nothing changes; on success ``notice`` is kept for the
    next run and the page reruns."""
    try:
        with storage.transaction(ctx.sessions) as session:
            action(session, acting_user(session, user, role))
    except NotAllowed as exc:
        refuse(ctx, exc, failed_key.split(".")[0])
    except (StorageError, ValueError) as exc:
        known = (known_errors or {}).get(type(exc))
        st.error(known if known is not None else t(failed_key, error=plain(exc)))
        return
    st.session_state[notice_state_key] = notice
    st.rerun()


def show_notice(notice_state_key: str) -> None:
    """The success notice ``act_as`` kept for this run, shown once."""
    notice = st.session_state.pop(notice_state_key, None)
    if notice:
        st.success(notice)
