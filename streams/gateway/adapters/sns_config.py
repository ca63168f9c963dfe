"""How SNS messages are accepted and CloudWatch alarms become alert events: ``SnsConfig``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.events import SEVERITIES as SEVERITY_ORDER
from streams.gateway.adapters.mapping import check_names, fold

SEVERITIES = frozenset(SEVERITY_ORDER)
DEFAULT_SEVERITY = "high"
"""CloudWatch alarms carry no severity; one routed to the incident topic is taken to page."""


@dataclass(frozen=True)
class SnsConfig:
    """Which topics are accepted and how alarms map; built once from settings at start-up.

    Attributes:
        topic_arns: The topics whose messages are accepted (exact ARNs); empty
            accepts any topic. Messages of other topics are refused (401).
        services: Alarm name prefix (any case) -> service; the longest
            matching prefix wins. Tried first.
        service_dimensions: Metric dimension names (any case) whose value is
            the service, tried in order after ``services``.
        name_separator: The alarm name up to the first separator is the
            service, tried after the dimensions; empty turns this rule off.
        default_service: Service when no rule gives one; None makes such an
            alarm a ``PayloadError`` (400) naming the alarm.
        severity: Severity of every alarm not in ``severities``.
        severities: Alarm name prefix (any case) -> severity, longest prefix wins.
        environment: Environment of alarms from accounts not in ``account_environments``.
        account_environments: AWS account id -> environment.

    Raises:
        ValueError: On a severity outside the contract, an invalid service or
            environment name, or a malformed topic ARN.
    """

    topic_arns: frozenset[str] = frozenset()
    services: Mapping[str, str] = field(default_factory=dict)
    service_dimensions: tuple[str, ...] = ("service",)
    name_separator: str = "-"
    default_service: str | None = None
    severity: str = DEFAULT_SEVERITY
    severities: Mapping[str, str] = field(default_factory=dict)
    environment: str = "production"
    account_environments: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [self.environment, *self.services.values(), *self.account_environments.values()]
        if self.default_service is not None:
            names.append(self.default_service)
        check_names(names)
        if self.severity not in SEVERITIES:
            msg = f"severity: {self.severity!r} is not one of {sorted(SEVERITIES)}"
            raise ValueError(msg)
        for arn in self.topic_arns:
            if not arn.startswith("arn:") or arn.count(":") != 5 or ":sns:" not in arn:
                msg = f"topic_arns: {arn!r} is not an SNS topic ARN (arn:aws:sns:REGION:ID:NAME)"
                raise ValueError(msg)
        object.__setattr__(self, "services", fold(self.services, "services", None))
        object.__setattr__(self, "severities", fold(self.severities, "severities", SEVERITIES))
        folded = tuple(name.strip().casefold() for name in self.service_dimensions if name.strip())
        object.__setattr__(self, "service_dimensions", folded)
        accounts = {key.strip(): value for key, value in self.account_environments.items()}
        object.__setattr__(self, "account_environments", accounts)


def by_prefix(table: Mapping[str, str], name: str) -> str | None:
    """Return the value of the longest key of ``table`` that ``name`` starts with (any case)."""
    folded = name.casefold()
    matches = [key for key in table if folded.startswith(key)]
    return table[max(matches, key=len)] if matches else None
