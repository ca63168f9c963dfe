"""ServiceNow source of the gateway: Basic credentials and the incident mapping."""

from __future__ import annotations

from pydantic import Field, SecretStr

from streams.settings.base import MttrSettings


class ServiceNowSettings(MttrSettings):
    """How the gateway authenticates and reads ServiceNow incident posts.

    Reads ``MTTR_SERVICENOW_*``. With a username and password, requests must
    carry them as HTTP Basic; without, the gateway token applies. The maps are JSON.
    """

    servicenow_username: str | None = Field(
        None, description="HTTP Basic user ServiceNow posts with; unset: the gateway token applies."
    )
    servicenow_password: SecretStr | None = Field(
        None, description="HTTP Basic password of servicenow_username; never logged."
    )
    servicenow_state_map: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: incident state (value or label) to ticket status, over the defaults: "
        '{"10":"identified"}',
    )
    servicenow_priority_map: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map of incident priority (value or label) to severity, over defaults.",
    )
    servicenow_services: dict[str, str] = Field(
        default_factory=dict, description="JSON map of configuration item (cmdb_ci) to service."
    )
    servicenow_default_service: str | None = Field(
        None, description="Service of ServiceNow incidents without a configuration item."
    )
    servicenow_environment: str = Field(
        "production", description="Environment of ServiceNow ticket events."
    )
