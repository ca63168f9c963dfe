"""POST /webhooks/argocd through the in-process gateway: 2xx with ids and 400.

The route is served under the gateway token (``ArgoCDAdapter.token_auth``);
that check belongs to the gateway, not the adapter, and is not exercised here.
"""

from __future__ import annotations

from streams.settings import Settings
from tests.support.argocd_payloads import FIXTURES
from tests.support.gateway_requests import post

SETTINGS = Settings(argocd_environments={"test-lla": "staging"})


def test_deployed_and_degraded_are_accepted_with_their_ids() -> None:
    answer = post(SETTINGS, "/webhooks/argocd", (FIXTURES / "rendered_deployed.json").read_bytes())
    assert (answer.status, answer.body) == (
        200,
        {"accepted": 1, "event_ids": ["argocd-deployed-argo-cd/velero-test-2024-03-05T07:33:03Z"]},
    )
    assert answer.published[0]["environment"] == "staging"
    body = (FIXTURES / "derived_health_degraded.json").read_bytes()
    answer = post(SETTINGS, "/webhooks/argocd", body)
    assert answer.status == 200
    assert [(e["type"], e["status"]) for e in answer.published] == [("alert", "firing")]


def test_recovered_while_unhealthy_is_202() -> None:
    body = (
        (FIXTURES / "derived_health_recovered.json")
        .read_bytes()
        .replace(b'"Healthy"', b'"Missing"')
    )
    answer = post(SETTINGS, "/webhooks/argocd", body)
    assert answer.status == 202
    assert answer.body == {"ignored": "health-recovered with health 'Missing', not Healthy"}


def test_a_body_not_from_our_template_is_400() -> None:
    answer = post(SETTINGS, "/webhooks/argocd", b'{"message": "Application x has been created."}')
    assert (answer.status, answer.body) == (400, {"error": "event: missing"})
