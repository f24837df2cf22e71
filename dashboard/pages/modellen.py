"""Modellen: versions with metrics and confusion matrix, a threshold preview, drift and feedback
(flag rate per topic and per source over time, agreement with analysts' labels, per part), and
(admins only) promote and roll back, each one transaction through storage's model-version
repository (``activate_model_version``, ``rollback_model_version``: audited there, with who and
when), as ``classifier.versions.promote`` and ``rollback`` do it. Recent items become pending for
the newly active version, so the service's classify job re-scores them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from dashboard.auth import allowed, current_user, record_refusal, require_role
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.drift_charts import agreement_rows, agreement_summary, rate_chart, rate_frame
from dashboard.i18n import t
from dashboard.pages.common import local_time, topic_name
from storage import StorageError, transaction
from storage.read_models import model_drift, signals
from storage.repositories import model_versions
from storage.schema import utcnow

ROLE = "analyst"
ACTION_ROLE = "admin"
METRIC_KEYS = ("n", "precision", "recall", "f1", "roc_auc", "pr_auc", "ece")


def metric_sets(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The evaluated splits of a version's metrics (``{"validation": {...}}``, or flat)."""
    found = {name: values for name, values in metrics.items()
             if isinstance(values, dict) and any(k in values for k in METRIC_KEYS)}
    if not found and any(k in metrics for k in METRIC_KEYS):
        found["metrics"] = metrics
    return found


def confusion_rows(values: dict[str, Any]) -> list[dict[str, Any]] | None:
    matrix = values.get("confusion")
    if not isinstance(matrix, dict):
        return None
    return [
        {"": t("models.actual_positive"), t("models.predicted_positive"): matrix.get("tp"),
         t("models.predicted_negative"): matrix.get("fn")},
        {"": t("models.actual_negative"), t("models.predicted_positive"): matrix.get("fp"),
         t("models.predicted_negative"): matrix.get("tn")},
    ]


def comparison_rows(chosen: dict[str, Any], active: dict[str, Any]) -> list[dict[str, Any]]:
    """The chosen version's metrics beside the active version's, split by split (whatever
    splits either recorded, e.g. the validation split and the real-data bench's sources)."""
    mine, theirs = metric_sets(chosen), metric_sets(active)
    rows = []
    for split in dict.fromkeys([*mine, *theirs]):
        for key in METRIC_KEYS:
            a, b = (mine.get(split) or {}).get(key), (theirs.get(split) or {}).get(key)
            if a is None and b is None:
                continue
            numeric = isinstance(a, int | float) and isinstance(b, int | float)
            rows.append({t("models.split"): split, t("models.metric"): key, t("models.this_version"): a,
                         t("models.active_version"): b,
                         t("models.difference"): round(a - b, 4) if numeric else None})
    return rows


def _actions(ctx: DashboardContext, name: str, task: str) -> None:
    left, right = st.columns(2)
    promote = left.button(t("models.promote"), key="models_promote")
    rollback = right.button(t("models.rollback"), key="models_rollback")
    if not (promote or rollback):
        return
    acting = current_user(ctx)
    if not allowed(acting, ACTION_ROLE):  # checked again at the moment of acting
        record_refusal(ctx, acting, ACTION_ROLE, "models.promote" if promote else "models.rollback")
        st.error(t("auth.forbidden", role=t(f"role.{ACTION_ROLE}")))
        st.stop()
    try:
        with transaction(ctx.sessions) as session:
            if promote:
                row, _ = model_versions.activate_model_version(session, name, acting.username)
            else:
                row, _ = model_versions.rollback_model_version(session, task, acting.username)
            now_active = row.name
    except (StorageError, ValueError) as exc:
        st.error(t("models.failed", error=str(exc)))
        return
    st.success(t("models.now_active", name=now_active))


def _show_overall(label: str, rates: list[model_drift.FlagRate]) -> None:
    scored, flagged = sum(r.scored for r in rates), sum(r.flagged for r in rates)
    if scored:
        st.text(f"{label}: {t('models.drift_overall', share=f'{flagged / scored:.0%}', flagged=flagged, scored=scored)}")


def _drift(ctx: DashboardContext, version_id: int, active_id: int | None) -> None:
    """Drift and feedback of one version: flag rates over time (beside the active version's
    overall rate over the same days), agreement with the analysts."""
    settings = dashboard_settings(ctx)
    st.subheader(t("models.drift"))
    last_day = utcnow().date()  # days are UTC days of appearance, as on the overview
    first_day = last_day - timedelta(days=settings.drift_days - 1)
    with ctx.read_sessions() as session:
        names = {"topic": {tp.id: topic_name(tp) for tp in signals.topic_list(session)},
                 "source": signals.source_names(session)}
        rates = {by: model_drift.flag_rates(session, version_id, first_day, last_day, by=by)
                 for by in model_drift.GROUPINGS}
        agreement = model_drift.label_agreement(session, version_id)
        active_rates = (model_drift.flag_rates(session, active_id, first_day, last_day, by="source")
                        if active_id not in (None, version_id) else None)
    st.caption(t("models.drift_help", days=settings.drift_days))
    _show_overall(t("models.this_version"), rates["source"])
    if active_rates is not None:
        _show_overall(t("models.active_version"), active_rates)
    if not rates["topic"]:
        st.info(t("models.drift_none"))
    else:
        for by in model_drift.GROUPINGS:
            st.markdown(f"**{t(f'models.rate_per_{by}')}**")
            st.altair_chart(rate_chart(rate_frame(rates[by], names[by], by), by), width="stretch")
    st.markdown(f"**{t('models.agreement')}**")
    if not agreement.labels:
        st.caption(t("models.agreement_none"))
        return
    st.text(agreement_summary(agreement))
    st.caption(t("models.agreement_confusion", tp=agreement.true_positive, fp=agreement.false_positive,
                 fn=agreement.false_negative, tn=agreement.true_negative))
    st.dataframe(agreement_rows(agreement), hide_index=True)


def render(ctx: DashboardContext) -> None:
    user = require_role(ctx, ROLE)
    settings = dashboard_settings(ctx)
    st.title(t("page.modellen"))
    with ctx.read_sessions() as session:
        versions = model_versions.list_model_versions(session)
    if not versions:
        st.info(t("models.none"))
        return
    st.dataframe(
        [{t("models.name"): v.name, t("models.task"): v.task, t("models.status"): t(f"status.{v.status}"),
          t("models.threshold"): round(v.threshold, 4), t("models.created"): local_time(v.created_at, settings),
          t("models.promoted"): local_time(v.promoted_at, settings),
          **{k: (metric_sets(v.metrics or {}).get("validation") or {}).get(k) for k in METRIC_KEYS}}
         for v in versions],
        hide_index=True,
    )
    by_name = {v.name: v for v in versions}
    active = [v.name for v in versions if v.status == "active"]
    st.session_state.setdefault("models_chosen", active[0] if active else versions[-1].name)
    name = st.selectbox(t("models.choose"), list(by_name), key="models_chosen")
    version = by_name[name]
    current = next((v for v in versions if v.status == "active" and v.task == version.task), None)
    for split, values in metric_sets(version.metrics or {}).items():
        st.markdown(f"**{t('models.metrics', split=split)}**")
        st.dataframe([{k: values.get(k) for k in METRIC_KEYS}], hide_index=True)
        rows = confusion_rows(values)
        if rows:
            st.caption(t("models.confusion"))
            st.dataframe(rows, hide_index=True)
    if current is not None and current.id != version.id:
        st.markdown(f"**{t('models.compare', active=current.name)}**")
        st.dataframe(comparison_rows(version.metrics or {}, current.metrics or {}), hide_index=True)

    st.subheader(t("models.preview"))
    threshold = st.slider(t("models.preview_threshold"), 0.0, 1.0, float(version.threshold), 0.01,
                          key=f"models_threshold_{version.id}")
    since = utcnow() - timedelta(days=settings.threshold_preview_days)
    with ctx.read_sessions() as session:
        preview = signals.threshold_preview(session, version.id, since, threshold)
    st.metric(t("models.preview_result", days=settings.threshold_preview_days, scored=preview.scored),
              preview.at_or_above)
    _drift(ctx, version.id, current.id if current is not None else None)
    if allowed(user, ACTION_ROLE):
        st.subheader(t("models.actions"))
        _actions(ctx, version.name, version.task)
