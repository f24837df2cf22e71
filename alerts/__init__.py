"""Alerts: tell the communication team what is growing, on the channels it reads.

    AlertSettings                                   the ``alerts`` section of the settings
    evaluate_and_send(sessions, alert_settings, narrative_settings, dashboard_url)
                                                    -> EvaluationReport (the service's step,
                                                       ``waakhond alerts evaluate``)
    validate_params(kind, params), validate_config(kind, config)   for the CLI and dashboard
    deliver(kind, config, message, settings)        send one message (``alerts channels test``)

    dashboard_base_url(...)                         the base of every link an alert carries
    AlertsError                                     the root of the package's errors

Decisions (which rules fire, de-duplication, cooldown, when a briefing is due) are pure
(``rules``, ``briefing_schedule``); sending is in ``channels``; the runner (``evaluate``) reads
through storage and records every delivery, sent or failed, in ``alerts``.

A floor-2 package: it uses ``storage`` (and its guidance links), the classifier's spike test, and the
``briefing``'s weeks; ``waakhond`` wires it (the ``alerts`` pipeline step, ``waakhond alerts``).
A new channel kind: its sender in ``channels`` (and its kind in ``storage.repositories.alerts.CHANNEL_KINDS``).
"""

from alerts.channels import (
    CHANNEL_KINDS_HTTP,
    AlertDeliveryError,
    ChannelConfigError,
    deliver,
    format_payload,
    masked_config,
    validate_config,
)
from alerts.errors import AlertsError
from alerts.evaluate import EvaluationReport, evaluate_and_send
from alerts.messages import AlertMessage, Link, dashboard_link
from alerts.rules import RULE_PARAMS, RuleError, validate_params
from alerts.settings import AlertSettings, dashboard_base_url

__all__ = [
    "CHANNEL_KINDS_HTTP",
    "RULE_PARAMS",
    "AlertDeliveryError",
    "AlertMessage",
    "AlertsError",
    "AlertSettings",
    "ChannelConfigError",
    "EvaluationReport",
    "Link",
    "RuleError",
    "dashboard_base_url",
    "dashboard_link",
    "deliver",
    "evaluate_and_send",
    "format_payload",
    "masked_config",
    "validate_config",
    "validate_params",
]
