"""Teams' response policy, delivery through the shared sender, and the secret URL (no network).

Besides the last tests, which post to a local stand-in for the Workflows
endpoint, ``NoticeSender`` is driven with a scripted ``post`` and a clock
whose ``sleep`` only advances time.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from pydantic import SecretStr

from streams.notify.policy import SLACK, TEAMS, Decision, classify
from streams.notify.sender import HttpPost, NoticeSender, Response, mask_webhook
from tests.support.webhooks import SIGNATURE, SIGNED_PATH, WebhookDouble


@pytest.mark.parametrize(
    ("status", "retry_after", "attempt", "expected"),
    [
        (202, None, 1, Decision("done")),  # the flow started (no Response action)
        (200, None, 2, Decision("done")),  # a flow with a Response action
        (429, "7", 1, Decision("retry", 7.0)),  # Power Automate throttling
        (429, None, 2, Decision("retry", 2.0)),
        (500, None, 1, Decision("retry", 1.0)),
        (502, None, 3, Decision("retry", 4.0)),  # the flow timed out
        (503, None, 1, Decision("retry", 1.0)),
        (504, None, 1, Decision("retry", 1.0)),
        (408, None, 1, Decision("retry", 1.0)),
        (None, None, 9, Decision("retry", 60.0)),  # network error, capped back-off
        (400, None, 1, Decision("give_up")),  # the trigger refused the body
        (401, None, 1, Decision("give_up")),  # wrong sig, or signed-in callers only
        (403, None, 1, Decision("give_up")),  # the flow may not run
        (404, None, 1, Decision("give_up")),  # deleted flow, truncated URL
        (413, None, 1, Decision("give_up")),  # larger than Teams allows
    ],
)
def test_teams_decides(
    status: int | None, retry_after: str | None, attempt: int, expected: Decision
) -> None:
    decision = TEAMS.decide(status, retry_after, attempt, first_delay=1.0, max_delay=60.0)
    assert decision == expected
    assert decision == classify(status, retry_after, attempt, first_delay=1.0, max_delay=60.0)


def test_each_channel_explains_its_refusals() -> None:
    assert (TEAMS.channel, SLACK.channel) == ("Teams", "Slack")
    assert "signature" in TEAMS.meaning(401)
    assert "MTTR_TEAMS_WEBHOOK_URL" in TEAMS.meaning(404)
    assert "no_service" in SLACK.meaning(404)
    assert TEAMS.meaning(418) == TEAMS.meaning(None) == ""


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _send(answers: list[Response], caplog: pytest.LogCaptureFixture) -> tuple[bool, list[float]]:
    clock = FakeClock()
    calls: list[float] = []

    async def post(_: bytes) -> Response:
        calls.append(clock.now)
        return answers.pop(0) if answers else Response(202)

    sender = NoticeSender(
        post, TEAMS, rate_per_minute=60, max_delay=4.0, first_delay=0.5, clock=clock
    )
    with caplog.at_level(logging.INFO):
        taken = asyncio.run(sender.send({"type": "message"}, "the notice"))
    return taken, calls


def test_retries_until_the_workflow_accepts_it(caplog: pytest.LogCaptureFixture) -> None:
    taken, calls = _send([Response(502), Response(429, "2"), Response(None)], caplog)
    assert taken is True
    assert calls == [0.0, 0.5, 2.5, 4.5]  # back-off 0.5, Retry-After 2, back-off 2 (3rd)
    assert "posted the notice to Teams after 4 attempts" in caplog.text
    assert "posting the notice to Teams failed (attempt 2, HTTP 429" in caplog.text


def test_gives_up_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    taken, calls = _send(
        [Response(401, body='{"error":{"code":"DirectApiAuthorizationRequired"}}')], caplog
    )
    assert (taken, calls) == (False, [0.0])
    assert "Teams rejected the notice with HTTP 401" in caplog.text
    assert "giving it up (the URL's signature is wrong" in caplog.text


# --- the secret URL ----------------------------------------------------------------------

URL = (
    "https://prod-12.westeurope.logic.azure.com:443/workflows/4a7c1d0e9b8f/triggers/manual/"
    f"paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIGNATURE}"
)


@pytest.mark.parametrize(
    "shown",
    [
        URL,
        URL.replace(":443", ""),  # as aiohttp/yarl print it
        URL.replace("%2F", "/"),  # re-quoted
        f"sig={SIGNATURE}",
        f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIGNATURE}",
    ],
)
def test_mask_a_workflows_url(shown: str) -> None:
    masked = mask_webhook(f"ClientError: cannot reach {shown} (reset)", URL)
    assert SIGNATURE not in masked
    assert masked.startswith("ClientError: cannot reach ")


def test_network_errors_never_show_the_signature() -> None:
    async def scenario() -> Response:
        post = HttpPost(SecretStr(f"http://127.0.0.1:1{SIGNED_PATH}"), 2.0)
        try:
            return await post(b"{}")
        finally:
            await post.close()

    response = asyncio.run(scenario())
    assert response.status is None
    assert response.body
    assert SIGNATURE not in response.body


def test_the_signed_url_is_posted_exactly_as_given() -> None:
    """The query is signed: re-quoting ``sp=%2F...`` would be another URL (here 401)."""

    async def scenario(url: str) -> Response:
        post = HttpPost(SecretStr(url), 5.0)
        try:
            return await post(b'{"type":"message","attachments":[]}')
        finally:
            await post.close()

    with WebhookDouble() as endpoint:
        response = asyncio.run(scenario(endpoint.url))
        wrong = asyncio.run(scenario(endpoint.url.replace("%2F", "/")))
    assert (response.status, wrong.status) == (202, 401)
    assert endpoint.bodies == [{"type": "message", "attachments": []}]
