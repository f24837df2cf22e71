"""Alerts: tell the communication team what is growing, on the channels it reads.

    AlertSettings                                   the ``alerts`` section of the settings
    evaluate_and_send(sessions, alert_settings, narrative_settings, dashboard_url)
                                                    -> EvaluationReport (the service's step,
                                                       ``waakhond alerts evaluate``)
    validate_params(kind, params), validate_config(kind, config)   for the CLI and dashboard
    deliver(kind, config, message, settings)        send one message (``alerts channels test``)

Decisions (which rules fire, de-duplication, cooldown) are pure (``rules``); sending is in
``channels``; the runner (``evaluate``) records every delivery, sent or failed, in ``alerts``.
"""

from waakhond.alerts.channels import (
    CHANNEL_KINDS_HTTP,
    AlertDeliveryError,
    ChannelConfigError,
    deliver,
    format_payload,
    masked_config,
    validate_config,
)
from waakhond.alerts.evaluate import EvaluationReport, evaluate_and_send
from waakhond.alerts.messages import AlertMessage, Link, dashboard_link
from waakhond.alerts.rules import RULE_PARAMS, RuleError, validate_params
from waakhond.alerts.settings import AlertSettings

__all__ = [
    "CHANNEL_KINDS_HTTP",
    "RULE_PARAMS",
    "AlertDeliveryError",
    "AlertMessage",
    "AlertSettings",
    "ChannelConfigError",
    "EvaluationReport",
    "Link",
    "RuleError",
    "dashboard_link",
    "deliver",
    "evaluate_and_send",
    "format_payload",
    "masked_config",
    "validate_config",
    "validate_params",
]
