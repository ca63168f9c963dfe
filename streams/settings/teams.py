"""Microsoft Teams notice settings: the Workflows webhook, rate, link template, minimum severity.

Teams notices follow the same rules as Slack's; the retry cap and the
maximum age are shared with them (``MTTR_SLACK_RETRY_MAX_SECONDS``,
``MTTR_SLACK_MAX_AGE_S``). Only what differs per destination is here: the
URL, its own rate limit, the audience's minimum severity and the link.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from streams.settings.base import MttrSettings
from streams.settings.slack import check_link_template, check_webhook_url


class TeamsSettings(MttrSettings):
    """Incident notices posted to a Teams Workflows webhook (off while the URL is unset).

    Reads ``MTTR_TEAMS_*``. The webhook URL carries its signature (``sig=``) and
    is a ``SecretStr``: invalid values are rejected without being shown.
    """

    teams_webhook_url: SecretStr | None = Field(
        None,
        description=(
            "Microsoft Teams Workflows webhook URL for incident notices (Adaptive Cards);"
            " unset: none. Never logged."
        ),
    )
    teams_rate_per_minute: float = Field(
        20, gt=0, le=600, description="Most Teams posts per minute (token bucket, bursts of 5)."
    )
    teams_min_severity: Literal["low", "medium", "high", "critical"] = Field(
        "low", description="Incidents below this severity get no Teams notices (until raised)."
    )
    teams_link_template: str | None = Field(
        None,
        description=(
            "Details link on each Teams card; same fields as MTTR_SLACK_LINK_TEMPLATE"
            " ({incident_id}, {service}, {environment})."
        ),
    )

    @field_validator("teams_webhook_url")
    @classmethod
    def _teams_webhook_is_http(cls, value: SecretStr | None) -> SecretStr | None:
        return check_webhook_url(value, "teams_webhook_url")

    @field_validator("teams_link_template")
    @classmethod
    def _teams_link_template_is_known(cls, value: str | None) -> str | None:
        return check_link_template(value, "teams_link_template")
