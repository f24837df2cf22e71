"""The latest weekly briefing on the Overzicht page: what it covers and a download of the file.

Read through storage (the briefing's file is stored with it), never from the writer's disk. A
link from an alert (``?briefing=ID``) opens that briefing instead of the latest.
"""

from __future__ import annotations

import streamlit as st

from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import current_language, t
from dashboard.pages.common import local_time
from storage.repositories import BriefingRecord, briefing_by_id, briefing_content, latest_briefing

BRIEFING_PARAM = "briefing"
MIME_TYPES = {"pdf": "application/pdf", "html": "text/html"}


def _wanted(ctx: DashboardContext) -> tuple[BriefingRecord | None, bytes | None]:
    asked = str(st.query_params.get(BRIEFING_PARAM, ""))
    with ctx.read_sessions() as session:
        record = briefing_by_id(session, int(asked)) if asked.isdigit() else None
        if record is None:
            record = latest_briefing(session, language=current_language()) or latest_briefing(session)
        return record, (briefing_content(session, record.id) if record else None)


def briefing_panel(ctx: DashboardContext) -> None:
    st.subheader(t("briefing.title"))
    record, content = _wanted(ctx)
    if record is None or not content:
        st.caption(t("briefing.none"))
        return
    settings = dashboard_settings(ctx)
    st.caption(t("briefing.latest", week=record.week, lang=record.language.upper(), format=record.format.upper(),
                 when=local_time(record.created_at, settings)))
    if record.summary.get("in_progress"):
        st.caption(t("briefing.in_progress"))
    st.download_button(
        t("briefing.download", week=record.week), data=content,
        file_name=f"waakhond-briefing-{record.week}{'-' + record.topic if record.topic else ''}-{record.language}.{record.format}",
        mime=MIME_TYPES.get(record.format, "application/octet-stream"), key=f"briefing-{record.id}",
    )
