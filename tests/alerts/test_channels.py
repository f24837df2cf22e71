"""Channels: payloads for each kind, and real delivery to a local webhook and SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from alerts import channels
from alerts.channels import (
    AlertDeliveryError,
    ChannelConfigError,
    deliver,
    format_payload,
    masked_config,
    validate_config,
)
from alerts.messages import DISCLAIMER, AlertMessage, Link
from alerts.settings import AlertSettings
from tests.alerts.receivers import SmtpServer, WebhookReceiver, free_port

MESSAGE = AlertMessage(
    kind="new_narrative",
    subject="Waakhond: nieuw verhaal in 3 bronnen: Cash verdwijnt",
    lines=("Een nieuw verhaal verspreidt zich in meerdere bronnen.", "Bewering: “Cash <b>verdwijnt</b> [klik](javascript:x)”"),
    link="https://waakhond.example.nl/?page=verhalen&verhaal=7",
    debunks=(Link("Contant geld blijft", "https://factcheck.example.org/cash", "Nieuwscheckers: onwaar"),),
    guidance=(Link("Is dat echt zo?", "https://www.isdatechtzo.nl/"),),
    facts={"narrative_id": 7},
)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp(tmp_path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path)
    yield server
    server.close()


def smtp_settings(server: SmtpServer, **changes) -> AlertSettings:
    values = dict(smtp_host="127.0.0.1", smtp_port=server.port, smtp_starttls=True, smtp_user=server.user,
                  smtp_password=SecretStr(server.password), smtp_from="waakhond@gemeente.example.nl",
                  smtp_ca_file=server.ca_file, smtp_timeout_seconds=10)
    return AlertSettings(**{**values, **changes})


# ----------------------------------------------------------------------------- configuration
def test_configs_are_validated_and_webhook_urls_masked():
    assert validate_config("email", {"to": "team@gemeente.example.nl"}) == {"to": ["team@gemeente.example.nl"]}
    assert validate_config("teams", {"url": "https://x.example/hook"})["format"] == "adaptive"
    for kind, config in (("email", {"to": ["geen-adres"]}), ("webhook", {"url": "ftp://x"}), ("teams", {"url": "https://x",
                         "format": "html"}), ("pager", {})):
        with pytest.raises(ChannelConfigError):
            validate_config(kind, config)
    masked = masked_config("slack", {"url": "https://hooks.example.com/services/T000/SECRET"})
    assert "SECRET" not in masked["url"] and masked["url"].startswith("https://hooks.example.com/")


# ----------------------------------------------------------------------------- payloads
def test_generic_webhook_payload_carries_text_link_and_debunks():
    body = format_payload("webhook", {}, MESSAGE)
    assert body["subject"] == MESSAGE.subject and body["link"] == MESSAGE.link
    assert body["debunks"][0]["url"] == "https://factcheck.example.org/cash"
    assert body["guidance"][0]["url"] == "https://www.isdatechtzo.nl/"
    assert body["disclaimer"] == DISCLAIMER and body["facts"] == {"narrative_id": 7}


def test_teams_adaptive_card_and_messagecard():
    card = format_payload("teams", {"format": "adaptive"}, MESSAGE)
    content = card["attachments"][0]["content"]
    assert card["type"] == "message" and content["type"] == "AdaptiveCard"
    urls = [a["url"] for a in content["actions"]]
    assert urls[0] == MESSAGE.link and "https://factcheck.example.org/cash" in urls and "https://www.isdatechtzo.nl/" in urls
    legacy = format_payload("teams", {"format": "messagecard"}, MESSAGE)
    assert legacy["@type"] == "MessageCard"
    assert [a["targets"][0]["uri"] for a in legacy["potentialAction"]][0] == MESSAGE.link
    assert "\\[klik\\]" in legacy["text"]  # feed text cannot become a link


def test_slack_and_mattermost_escape_feed_text_but_keep_our_links():
    slack = format_payload("slack", {}, MESSAGE)["text"]
    assert "&lt;b&gt;" in slack and "<b>" not in slack
    assert f"<{MESSAGE.link}|Bekijk in Waakhond>" in slack
    mattermost = format_payload("mattermost", {}, MESSAGE)["text"]
    assert "\\[klik\\]\\(javascript:x\\)" in mattermost
    assert f"[Bekijk in Waakhond]({MESSAGE.link})" in mattermost
    assert "(https://factcheck.example.org/cash)" in mattermost


# ----------------------------------------------------------------------------- real delivery
@pytest.mark.parametrize("kind", ["webhook", "teams", "slack", "mattermost"])
def test_http_channels_post_to_a_real_receiver(webhook, kind):
    deliver(kind, {"url": webhook.url(f"/ok/{kind}")}, MESSAGE, AlertSettings())
    assert len(webhook.bodies(f"/ok/{kind}")) == 1


def test_http_failures_become_delivery_errors_with_a_reason(webhook):
    with pytest.raises(AlertDeliveryError, match="HTTP 500"):
        deliver("webhook", {"url": webhook.url("/fail/x")}, MESSAGE, AlertSettings())
    with pytest.raises(AlertDeliveryError, match="ConnectError"):
        deliver("webhook", {"url": f"http://127.0.0.1:{free_port()}/down"}, MESSAGE, AlertSettings(http_timeout_seconds=2))
    with pytest.raises(AlertDeliveryError, match="misconfigured"):
        deliver("webhook", {"url": "not a url"}, MESSAGE, AlertSettings())


def test_email_over_starttls_with_authentication(smtp):
    deliver("email", {"to": ["comms@gemeente.example.nl"]}, MESSAGE, smtp_settings(smtp))
    assert smtp.logins == [smtp.user]
    (mail,) = smtp.messages
    assert mail["Subject"] == MESSAGE.subject
    assert mail["To"] == "comms@gemeente.example.nl" and mail["From"] == "waakhond@gemeente.example.nl"
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "Een nieuw verhaal verspreidt zich" in body
    assert f"Bekijk in Waakhond: {MESSAGE.link}" in body
    assert "https://factcheck.example.org/cash" in body and "https://www.isdatechtzo.nl/" in body
    assert DISCLAIMER in body


def test_email_failures_wrong_password_untrusted_certificate_no_server(smtp, tmp_path):
    with pytest.raises(AlertDeliveryError, match="SMTP"):
        deliver("email", {"to": ["a@b.nl"]}, MESSAGE, smtp_settings(smtp, smtp_password=SecretStr("fout")))
    with pytest.raises(AlertDeliveryError, match="SSL|certificate"):
        deliver("email", {"to": ["a@b.nl"]}, MESSAGE, smtp_settings(smtp, smtp_ca_file=None))
    with pytest.raises(AlertDeliveryError):  # the server insists on STARTTLS before AUTH
        deliver("email", {"to": ["a@b.nl"]}, MESSAGE, smtp_settings(smtp, smtp_starttls=False))
    with pytest.raises(AlertDeliveryError, match="no SMTP server"):
        deliver("email", {"to": ["a@b.nl"]}, MESSAGE, AlertSettings())
    assert smtp.messages == []
    assert channels.email_message(MESSAGE, "x@y.nl", ["a@b.nl"])["Subject"] == MESSAGE.subject
