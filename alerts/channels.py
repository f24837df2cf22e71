"""Alert channels: format one ``AlertMessage`` for a channel and deliver it.

    email       SMTP (smtplib), STARTTLS and login when configured; config {"to": [...]}
    webhook     generic JSON: AlertMessage.payload()                   config {"url": ...}
    teams       Microsoft Teams: an Adaptive Card in a message (Workflows webhooks), or the
                older MessageCard with {"format": "messagecard"}        config {"url": ...}
    slack       Slack-compatible {"text": ...} with <url|label> links   config {"url": ...}
    mattermost  Mattermost {"text": ..., "username": ...}, Markdown     config {"url": ...}

Formatting is pure (``format_payload``); ``deliver`` does the I/O with explicit timeouts and
turns every failure into ``AlertDeliveryError`` with a reason.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx

from alerts.errors import AlertsError
from alerts.messages import DISCLAIMER, AlertMessage
from alerts.settings import AlertSettings

BOT_NAME = "Waakhond"
CHANNEL_KINDS_HTTP = HTTP_KINDS = ("webhook", "teams", "slack", "mattermost")
TEAMS_FORMATS = ("adaptive", "messagecard")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


class AlertDeliveryError(AlertsError):
    """A channel could not take the alert; the reason is recorded with it."""


class ChannelConfigError(AlertsError, ValueError):
    """A channel's configuration is unusable."""


def validate_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    if kind == "email":
        to = config.get("to")
        recipients = [to] if isinstance(to, str) else list(to or [])
        if not recipients or not all(isinstance(r, str) and _EMAIL.match(r) for r in recipients):
            raise ChannelConfigError("an e-mail channel needs one or more addresses in 'to'")
        return {"to": recipients}
    if kind in HTTP_KINDS:
        url = str(config.get("url") or "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChannelConfigError(f"a {kind} channel needs an http(s) 'url'")
        out: dict[str, Any] = {"url": url}
        if kind == "teams":
            fmt = config.get("format", "adaptive")
            if fmt not in TEAMS_FORMATS:
                raise ChannelConfigError(f"teams format must be one of {', '.join(TEAMS_FORMATS)}")
            out["format"] = fmt
        return out
    raise ChannelConfigError(f"unknown channel kind {kind!r}")


def masked_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """For listings: a webhook URL is a secret (whoever has it can post), so only its host shows."""
    if kind in HTTP_KINDS and config.get("url"):
        parts = urlsplit(str(config["url"]))
        return {**config, "url": f"{parts.scheme}://{parts.netloc}/…"}
    return dict(config)


# ----------------------------------------------------------------------------- formatting (pure)
def _markdown(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _teams_adaptive(message: AlertMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium", "wrap": True},
        *({"type": "TextBlock", "text": line, "wrap": True} for line in message.lines),
    ]
    if message.debunks:
        body.append({"type": "TextBlock", "text": "Factchecks over deze bewering", "weight": "Bolder", "wrap": True})
        body.append({"type": "FactSet", "facts": [{"title": d.note or "", "value": d.title} for d in message.debunks]})
    body.append({"type": "TextBlock", "text": DISCLAIMER, "isSubtle": True, "wrap": True})
    actions = [{"type": "Action.OpenUrl", "title": "Bekijk in Waakhond", "url": message.link}]
    actions += [{"type": "Action.OpenUrl", "title": f"Factcheck: {d.note or d.title}", "url": d.url} for d in message.debunks]
    actions += [{"type": "Action.OpenUrl", "title": g.title, "url": g.url} for g in message.guidance]
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body, "actions": actions}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
    ]}


def _teams_messagecard(message: AlertMessage) -> dict[str, Any]:
    def action(name: str, url: str) -> dict[str, Any]:
        return {"@type": "OpenUri", "name": name, "targets": [{"os": "default", "uri": url}]}

    return {
        "@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": message.subject,
        "title": message.subject, "text": "\n\n".join([*(_markdown(line) for line in message.lines), _markdown(DISCLAIMER)]),
        "potentialAction": [action("Bekijk in Waakhond", message.link),
                            *(action(f"Factcheck: {d.note or d.title}", d.url) for d in message.debunks),
                            *(action(g.title, g.url) for g in message.guidance)],
    }


def _chat_text(message: AlertMessage, link) -> str:
    parts = [f"*{message.subject}*", *message.lines, link("Bekijk in Waakhond", message.link)]
    if message.debunks:
        parts.append("Factchecks: " + " · ".join(link(f"{d.note or ''} {d.title}".strip(), d.url) for d in message.debunks))
    if message.guidance:
        parts.append("Achtergrond: " + " · ".join(link(g.title, g.url) for g in message.guidance))
    parts.append(f"_{DISCLAIMER}_")
    return "\n".join(parts)


def format_payload(kind: str, config: Mapping[str, Any], message: AlertMessage) -> dict[str, Any]:
    """The JSON body for an HTTP channel."""
    if kind == "webhook":
        return message.payload()
    if kind == "teams":
        return _teams_messagecard(message) if config.get("format") == "messagecard" else _teams_adaptive(message)
    if kind == "slack":
        escaped = AlertMessage(message.kind, _slack_escape(message.subject), tuple(_slack_escape(x) for x in message.lines),
                               message.link, message.debunks, message.guidance, message.facts)
        return {"text": _chat_text(escaped, lambda label, url: f"<{url}|{_slack_escape(label)}>"), "username": BOT_NAME}
    if kind == "mattermost":
        escaped = AlertMessage(message.kind, _markdown(message.subject), tuple(_markdown(x) for x in message.lines),
                               message.link, message.debunks, message.guidance, message.facts)
        return {"text": _chat_text(escaped, lambda label, url: f"[{_markdown(label)}]({url})"), "username": BOT_NAME}
    raise ChannelConfigError(f"not an HTTP channel: {kind!r}")


def email_message(message: AlertMessage, sender: str, recipients: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content(message.plain_text())
    return mail


# ----------------------------------------------------------------------------- delivery (I/O)
def deliver(kind: str, config: Mapping[str, Any], message: AlertMessage, settings: AlertSettings) -> None:
    try:
        config = validate_config(kind, config)
    except ChannelConfigError as exc:
        raise AlertDeliveryError(f"channel misconfigured: {exc}") from exc
    if kind == "email":
        _send_email(config["to"], message, settings)
    else:
        _post(config["url"], format_payload(kind, config, message), settings)


def _post(url: str, payload: dict[str, Any], settings: AlertSettings) -> None:
    timeout = httpx.Timeout(settings.http_timeout_seconds)
    try:
        response = httpx.post(url, json=payload, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise AlertDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise AlertDeliveryError(f"HTTP {response.status_code} from {urlsplit(url).hostname}: {response.text[:200]}")


def _send_email(recipients: list[str], message: AlertMessage, settings: AlertSettings) -> None:
    if not settings.smtp_host:
        raise AlertDeliveryError("no SMTP server configured (alerts.smtp_host)")
    mail = email_message(message, settings.smtp_from, recipients)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            smtp.ehlo()
            if settings.smtp_starttls:
                cafile = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
                smtp.starttls(context=ssl.create_default_context(cafile=cafile))
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise AlertDeliveryError(f"SMTP {type(exc).__name__}: {exc}") from exc
