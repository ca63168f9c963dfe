"""The gateway's sources, configured from the settings: the adapter registry, name -> converter.

``build_adapters`` (``registry.py``) gives one configured ``Adapter`` per webhook
source. ``build_sources`` serves each under its name, next to ``events`` (our
own contract, ``POST /events``), as the converters ``create_app`` expects;
``/events`` and the routes of adapters with ``token_auth`` check the shared
``MTTR_GATEWAY_TOKEN`` first (``auth.check_token``). ``build_importers``
gives the history converters of ``mttr import``, configured from the same
mapping settings as the live adapters (one config builder per source here),
so both paths map alike. Every config is built at once, so a wrong setting
fails at start-up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from streams.gateway.adapters.base import Adapter, Converted
from streams.gateway.adapters.sns import SnsAdapter
from streams.gateway.app import Convert, own_events
from streams.gateway.auth import check_token
from streams.gateway.history.base import Importer
from streams.gateway.history.github import GitHubHistory
from streams.gateway.history.gitlab import GitLabHistory
from streams.gateway.history.jira import JiraHistory
from streams.gateway.history.opsgenie import OpsgenieHistory
from streams.gateway.history.pagerduty import PagerDutyHistory
from streams.gateway.registry import (
    build_adapters,
    github_config,
    gitlab_config,
    jira_config,
    opsgenie_config,
    pagerduty_config,
    secrets_of,
)
from streams.gateway.sns_certificates import https_get
from streams.gateway.sns_endpoint import sns_endpoint
from streams.settings import Settings

IMPORTERS: Mapping[str, Callable[[Settings], Importer]] = {
    "github": lambda settings: GitHubHistory(github_config(settings)),
    "gitlab": lambda settings: GitLabHistory(gitlab_config(settings)),
    "jira": lambda settings: JiraHistory(jira_config(settings)),
    "opsgenie": lambda settings: OpsgenieHistory(opsgenie_config(settings)),
    "pagerduty": lambda settings: PagerDutyHistory(pagerduty_config(settings)),
}
"""Source name -> its history converter built from settings (``mttr import <name>``)."""


def build_importer(name: str, settings: Settings) -> Importer:
    """Return the history converter of source ``name``; ``ValueError`` on a bad setting."""
    return IMPORTERS[name](settings)


def build_sources(settings: Settings) -> dict[str, Convert]:
    """Return every endpoint's converter (``events`` is our own contract)."""
    tokens = secrets_of(settings.gateway_token)
    sources: dict[str, Convert] = {"events": _guarded(own_events, tokens)}
    for adapter in build_adapters(settings):
        sources[adapter.name] = _served(adapter, tokens if _needs_token(adapter) else (), settings)
    return sources


def token_routes(settings: Settings) -> list[str]:
    """Return the paths that take the shared gateway token (open while it is unset)."""
    names = [adapter.name for adapter in build_adapters(settings) if _needs_token(adapter)]
    return ["/events", *(f"/webhooks/{name}" for name in names)]


def _needs_token(adapter: Adapter) -> bool:
    """True when the gateway token guards ``adapter``'s route.

    A source that cannot sign declares ``token_auth``; one of them may still
    check credentials of its own when configured (ServiceNow with Basic
    credentials: ``basic_auth``), and then the token does not apply.
    """
    return adapter.token_auth and not getattr(adapter, "basic_auth", False)


def _served(adapter: Adapter, tokens: tuple[str, ...], settings: Settings) -> Convert:
    """Return ``adapter`` as ``create_app``'s converter, behind the token when ``tokens``.

    SNS is served by ``sns_endpoint``, which awaits certificate fetches and
    subscription confirmations around the pure adapter (it signs: no token).
    """
    if isinstance(adapter, SnsAdapter):
        fetch = https_get(settings.sns_fetch_timeout_s)
        return sns_endpoint(adapter, fetch, confirm=settings.sns_confirm_subscriptions)

    def convert(body: bytes, headers: Mapping[str, str], _query: Mapping[str, str]) -> Converted:
        return adapter.convert(body, headers)

    return _guarded(convert, tokens)


def _guarded(convert: Convert, tokens: tuple[str, ...]) -> Convert:
    """Return ``convert`` checking the shared token first (nothing to check without tokens)."""
    if not tokens:
        return convert

    def checked(
        body: bytes, headers: Mapping[str, str], query: Mapping[str, str]
    ) -> Converted | Awaitable[Converted]:
        check_token(tokens, headers, query)  # before the source runs, awaitable or not
        return convert(body, headers, query)

    return checked


__all__ = ["IMPORTERS", "build_adapters", "build_importer", "build_sources", "token_routes"]
