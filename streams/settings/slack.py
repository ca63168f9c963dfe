"""Slack notice settings: the webhook, rate, retries, link template and which changes post.

The retry cap and maximum age apply to Teams notices too (``teams.py``), and
the URL and template checks here are shared with that group.
"""

from __future__ import annotations

from string import Formatter
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from streams.settings.base import MttrSettings


class SlackSettings(MttrSettings):
    """Incident notices posted to a Slack incoming webhook (off while the URL is unset).

    Reads ``MTTR_SLACK_*``. The webhook URL is a ``SecretStr``: invalid values are
    rejected without being shown.
    """

    slack_webhook_url: SecretStr | None = Field(
        None,
        description="Slack incoming-webhook URL for incident notices; unset: none. Never logged.",
    )
    slack_rate_per_minute: float = Field(
        20, gt=0, le=600, description="Most Slack posts per minute (token bucket, bursts of 5)."
    )
    slack_retry_max_seconds: float = Field(
        60.0,
        gt=0,
        description="Longest back-off between retries of a Slack or Teams post (5xx, network).",
    )
    slack_link_template: str | None = Field(
        None,
        description=(
            "Link in each Slack notice; {incident_id}, {service} and {environment} are filled in,"
            " e.g. https://grafana.example/d/mttr-incident-drilldown?var-incident={incident_id}."
        ),
    )
    slack_min_severity: Literal["low", "medium", "high", "critical"] = Field(
        "low", description="Incidents below this severity get no Slack notices (until raised)."
    )
    slack_max_age_s: float = Field(
        3600,
        gt=0,
        description=(
            "Changes that happened longer ago than this (event time) are recorded, not posted:"
            " enabling notices on an existing history or replaying one does not flood Slack"
            " or Teams."
        ),
    )

    @field_validator("slack_webhook_url")
    @classmethod
    def _webhook_is_http(cls, value: SecretStr | None) -> SecretStr | None:
        return check_webhook_url(value, "slack_webhook_url")

    @field_validator("slack_link_template")
    @classmethod
    def _link_template_is_known(cls, value: str | None) -> str | None:
        return check_link_template(value, "slack_link_template")


def check_webhook_url(value: SecretStr | None, name: str) -> SecretStr | None:
    """Return ``value`` if it is an http(s) URL with a host; the error never shows it."""
    if value is None:
        return None
    parts = urlsplit(value.get_secret_value())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"{name} must be an http(s) URL with a host (value not shown)"
        raise ValueError(msg)
    return value


def check_link_template(value: str | None, name: str) -> str | None:
    """Return ``value`` (None if blank) if it is an http(s) URL using only known fields."""
    if value is None or not value.strip():
        return None
    names = {"incident_id", "service", "environment"}
    try:
        used = {field for _, field, _, _ in Formatter().parse(value) if field is not None}
        if used <= names:
            value.format(**dict.fromkeys(names, "x"))
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        msg = f"{name} is not a valid template: {exc}"
        raise ValueError(msg) from exc
    if not used <= names or urlsplit(value).scheme not in ("http", "https"):
        msg = (
            f"{name} must be an http(s) URL using only {{incident_id}}, "
            f"{{service}} and {{environment}}, got fields {sorted(used)}"
        )
        raise ValueError(msg)
    return value
