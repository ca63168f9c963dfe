"""Every registered adapter satisfies the one ``Adapter`` protocol (mypy checks the same)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping

import pytest
from pydantic import SecretStr

from streams.gateway.adapters import (
    alertmanager,
    argocd,
    awx,
    azure_monitor,
    cdevents,
    datadog,
    github,
    gitlab,
    grafana,
    jenkins,
    jira,
    newrelic,
    opsgenie,
    pagerduty,
    rundeck,
    servicenow,
    sns,
    splunk,
)
from streams.gateway.adapters.base import Adapter, Converted, PayloadError, SignatureError
from streams.gateway.sources import build_adapters, build_sources
from streams.settings import Settings

SECRET = "s3cret-never-shown"
SETTINGS = Settings(
    github_webhook_secret=SecretStr(SECRET),
    jira_webhook_secrets=SecretStr(SECRET),
    pagerduty_webhook_secrets=SecretStr(SECRET),
    grafana_webhook_secret=SecretStr(SECRET),
    gitlab_webhook_secrets=SecretStr(SECRET),
    servicenow_username="mttr",
    servicenow_password=SecretStr(SECRET),
)
ADAPTERS = build_adapters(SETTINGS)
MODULES = {
    m.SOURCE: m
    for m in (
        alertmanager,
        argocd,
        azure_monitor,
        cdevents,
        datadog,
        github,
        gitlab,
        grafana,
        jenkins,
        jira,
        newrelic,
        opsgenie,
        pagerduty,
        servicenow,
        sns,
        rundeck,
        splunk,
        awx,
    )
}
# Sources that check their own signature or secret (grafana: because a secret is set;
# servicenow: because Basic credentials are set); every other source is unsigned and parses
# the body at once (the gateway token is checked before the adapter runs).
SIGNED = {"github", "jira", "pagerduty", "grafana", "gitlab", "servicenow", "sns"}


def test_the_registry_holds_one_adapter_per_webhook_source() -> None:
    names = [adapter.name for adapter in ADAPTERS]
    assert names == [
        "alertmanager", "github", "jira", "pagerduty", "grafana", "azure-monitor", "datadog",
        "opsgenie", "newrelic", "splunk", "cdevents",
        "gitlab", "argocd", "jenkins", "servicenow", "sns",
        "rundeck", "awx",
    ]  # fmt: skip
    assert sorted(build_sources(SETTINGS)) == sorted(["events", *names])


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_adapter_satisfies_the_protocol(adapter: Adapter) -> None:
    assert isinstance(adapter, Adapter)
    assert isinstance(type(adapter).name, str)  # a class attribute, the same for every instance
    assert isinstance(type(adapter).token_auth, bool)  # who authenticates: gateway or vendor
    assert adapter.name == MODULES[adapter.name].SOURCE
    expected = inspect.signature(Adapter.convert)
    actual = inspect.signature(type(adapter).convert)
    assert list(actual.parameters) == list(expected.parameters)
    assert typing.get_type_hints(type(adapter).convert) == typing.get_type_hints(Adapter.convert)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_adapter_checks_the_signature_before_parsing(adapter: Adapter) -> None:
    signed = adapter.name in SIGNED
    with pytest.raises(SignatureError if signed else PayloadError):
        adapter.convert(b"not json", {})
    assert SECRET not in repr(adapter)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_new_sources_declare_whether_the_gateway_token_applies(adapter: Adapter) -> None:
    declared = getattr(type(adapter), "token_auth", None)
    if adapter.name in {"gitlab", "argocd", "jenkins", "servicenow"}:
        assert declared is (adapter.name != "gitlab")


def test_an_object_without_a_name_is_not_an_adapter() -> None:
    class Nameless:
        def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
            return Converted()

    assert not isinstance(Nameless(), Adapter)


@pytest.mark.parametrize(
    "adapter", [a for a in ADAPTERS if a.name not in SIGNED], ids=lambda a: a.name
)
def test_unsigned_senders_declare_the_gateway_token(adapter: Adapter) -> None:
    assert getattr(type(adapter), "token_auth", None) is True
