"""The adapter contract: what every webhook source implements, returns and raises.

An adapter turns one webhook request of a tool (Alertmanager, GitHub, Jira,
PagerDuty) into event dicts of the contract (``schemas/events.py``). Every
adapter has the same shape, ``Adapter``: a ``name`` (served on
``POST /webhooks/<name>``) and ``convert(body, headers) -> Converted``. It is
built once at start-up with its mapping config and, where the sender signs
its requests, its secrets (``streams/gateway/sources.py``); ``convert``
checks the signature on the raw body first, then parses and maps it.

The mapping itself is a pure module function per source,
``convert(payload, config) -> Converted`` (GitHub also takes the event type
header). The gateway validates every event against the contract before
publishing; an adapter must still only produce valid events for valid
payloads. Identifiers must be deterministic: the same notification sent twice
yields the same ``event_id``s, so a re-delivered webhook is deduplicated
downstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable


class PayloadError(ValueError):
    """The payload is not what the source sends (HTTP 400).

    The message names the JSON path and the problem, e.g.
    ``alerts[0].startsAt: missing`` or ``deployment_status.state: unknown value 'weird'``.
    """


class SignatureError(ValueError):
    """Missing or wrong signature / shared secret (HTTP 401). The message says which."""


class UnavailableError(RuntimeError):
    """A service the check depends on did not answer, e.g. SNS's certificate host (HTTP 503).

    The request may be fine: the sender retries a 5xx (SNS does), and the
    message says what failed.
    """


@dataclass(frozen=True)
class Converted:
    """The events of one webhook, or why it carries none we use.

    ``ignored`` is set (and ``events`` empty) for a well-formed payload of a
    kind we do not convert, e.g. a GitHub ``issues`` event (HTTP 202, counted).
    ``rejected`` names the items of a payload that carries several (one
    Alertmanager notification, many alerts) that could not be converted,
    while the others are: the sender does not retry a 4xx, so one bad alert
    must not cost the good ones.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    ignored: str | None = None
    rejected: list[str] = field(default_factory=list)  # items of a batch payload left out, why


@runtime_checkable
class Adapter(Protocol):
    """One webhook source of the gateway, configured and ready to serve requests.

    Implementations: ``AlertmanagerAdapter``, ``GitHubAdapter``,
    ``JiraAdapter``, ``PagerDutyAdapter``, ``SnsAdapter``; ``build_adapters`` in
    ``streams/gateway/sources.py`` is the registry.

    ``token_auth`` says who authenticates the sender: ``True`` for a sender
    that cannot sign its requests (Alertmanager): the gateway then checks the
    shared ``MTTR_GATEWAY_TOKEN`` before ``convert`` (``streams/gateway/auth.py``);
    ``False`` for a source with its own vendor signature or secret, which
    ``convert`` checks itself.
    """

    token_auth: ClassVar[bool]

    @property
    def name(self) -> str:
        """The source: its endpoint is ``POST /webhooks/<name>``, its metrics label ``<name>``."""

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the events of one request, or why it carries none we use.

        Args:
            body: The request body exactly as received (signatures cover these bytes).
            headers: The request headers; the signature and, for GitHub, the
                event type are read from them.

        Returns:
            The events (each valid against the contract), or ``ignored`` set.

        Raises:
            SignatureError: The signature or secret is missing or wrong,
                checked before the body is parsed (HTTP 401).
            PayloadError: The body is not valid JSON or not what the source
                sends; the message names the JSON path (HTTP 400).
        """
