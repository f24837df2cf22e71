"""Labelen (analysts): one item at a time from the active-learning queue
(``storage.read_models.label_queue``, ranked by the active model version's scores).

Four choices, an optional note, an optional choice of the part of the signal that was wrong,
undo of the analyst's last label, the count done today, and a switch that hides the model's
score (and the parts' numbers) so that it does not anchor the judgement. Every label is stored
with the analyst's user and the time (``storage.repositories.labels``), and audited.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

import storage
from dashboard.auth import NotAllowed, SessionUser, acting_user, refuse, require_role
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import t
from dashboard.pages.common import local_today, show_signal
from storage.read_models import (
    PART_ORDER,  # the order the parts panel shows them in
    label_queue,
    signals,
)
from storage.repositories import labels
from storage.schema import LABELS

ROLE = "analyst"
#: How many queue entries are fetched at once; the page shows the first one.
QUEUE_BATCH = 10


def next_item_id(ctx: DashboardContext, user: SessionUser) -> int | None:
    with ctx.read_sessions() as session:
        entries = label_queue.label_queue(session, ctx.settings.classifier, limit=QUEUE_BATCH, user_id=user.id)
    return entries[0].item_id if entries else None


def _today_start(ctx: DashboardContext) -> datetime:
    settings = dashboard_settings(ctx)
    return datetime.combine(local_today(settings), time(0), tzinfo=ZoneInfo(settings.timezone))


def _store_label(ctx: DashboardContext, user: SessionUser, item_id: int, label: str, note: str,
                 wrong_part: str | None) -> None:
    with storage.transaction(ctx.sessions) as session:
        labels.add_label(session, item_id, acting_user(session, user, ROLE), label, note, wrong_part)


def _undo(ctx: DashboardContext, user: SessionUser) -> bool:
    with storage.transaction(ctx.sessions) as session:
        return labels.retract_last_label(session, acting_user(session, user, ROLE)) is not None


def render(ctx: DashboardContext) -> None:
    user = require_role(ctx, ROLE)
    st.title(t("page.labelen"))
    with ctx.read_sessions() as session:
        done = labels.count_labels_since(session, user.id, _today_start(ctx))
    top_left, top_right = st.columns([3, 2])
    top_left.metric(t("labelling.done_today"), done)
    hide_score = top_right.toggle(t("labelling.hide_score"), key="labelling_hide_score")
    if top_right.button(t("labelling.undo"), key="labelling_undo"):
        try:
            st.toast(t("labelling.undone") if _undo(ctx, user) else t("labelling.nothing_to_undo"))
        except NotAllowed as exc:
            refuse(ctx, exc, "label.undo")
        st.rerun()

    item_id = next_item_id(ctx, user)
    if item_id is None:
        st.info(t("labelling.empty"))
        return
    with ctx.read_sessions() as session:
        detail = signals.signal_detail(session, item_id)
    if detail is None:
        st.info(t("labelling.empty"))
        return
    show_signal(ctx, detail, hide_score=hide_score)
    st.divider()
    note = st.text_area(t("labelling.note"), key=f"labelling_note_{item_id}")
    wrong_part = st.selectbox(
        t("labelling.wrong_part"), (None, *PART_ORDER), key=f"labelling_wrong_part_{item_id}",
        format_func=lambda p: t("labelling.wrong_part_none") if p is None else t(f"part.{p}"),
        help=t("labelling.wrong_part_help"),
    )
    columns = st.columns(len(LABELS))
    for column, label in zip(columns, LABELS, strict=True):
        if column.button(t(f"label.{label}"), key=f"label_{label}", use_container_width=True):
            try:
                _store_label(ctx, user, item_id, label, note, wrong_part)
            except NotAllowed as exc:
                refuse(ctx, exc, "label.add")
            st.toast(t("labelling.saved_part", label=t(f"label.{label}"), part=t(f"part.{wrong_part}")) if wrong_part
                     else t("labelling.saved", label=t(f"label.{label}")))
            st.rerun()
