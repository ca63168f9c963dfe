"""Amazon SNS settings (``POST /webhooks/sns``): accepted topics, confirmation, alarm mapping."""

from __future__ import annotations

from pydantic import Field

from streams.settings.base import MttrSettings


class SnsSettings(MttrSettings):
    """CloudWatch alarms delivered by an SNS HTTPS subscription: which, and how they map.

    Reads ``MTTR_SNS_*``. Nothing here is secret: authenticity is SNS's own
    message signature. The maps are JSON.
    """

    sns_topic_arns: str = Field(
        "", description="Comma-separated SNS topic ARNs accepted; empty: any topic."
    )
    sns_confirm_subscriptions: bool = Field(
        False, description="Confirm SNS subscriptions by a GET of their SubscribeURL."
    )
    sns_fetch_timeout_s: float = Field(
        5.0, gt=0, le=30, description="Seconds for fetching a signing cert or confirming."
    )
    sns_services: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of alarm name prefix to service: {"pay-":"payments"}.',
    )
    sns_service_dimensions: str = Field(
        "service", description="Comma-separated metric dimensions whose value is the service."
    )
    sns_alarm_name_separator: str = Field(
        "-", description="The alarm name up to this is the service (empty: off)."
    )
    sns_default_service: str | None = Field(
        None, description="Service of alarms no other rule names; unset: such alarms get 400."
    )
    sns_severity: str = Field("high", description="Severity of CloudWatch alarm events.")
    sns_alarm_severities: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of alarm name prefix to severity: {"db-":"critical"}.',
    )
    sns_environment: str = Field("production", description="Environment of CloudWatch alarms.")
    sns_account_environments: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of AWS account id to environment: {"123456789012":"staging"}.',
    )
