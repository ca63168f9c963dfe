"""Rate limit, retry decisions and the retry loop of Slack posts (no network).

``SlackSender`` is driven with a scripted ``post`` and a fake clock whose
``sleep`` only advances time, so every wait is exact.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from pydantic import SecretStr

from streams.notify.bucket import TokenBucket
from streams.notify.policy import Decision, backoff, decide, retry_after_seconds
from streams.notify.sender import HttpPost, Response, SlackSender, mask_webhook

# --- token bucket ------------------------------------------------------------------------


def test_bucket_allows_a_burst_then_spaces_posts() -> None:
    bucket = TokenBucket(rate=1.0, capacity=2, now=0.0)
    assert [bucket.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 1.0, 2.0]


def test_bucket_refills_with_time_up_to_its_capacity() -> None:
    bucket = TokenBucket(rate=0.5, capacity=2, now=100.0)
    assert bucket.reserve(100.0) == 0.0
    assert bucket.reserve(100.0) == 0.0
    assert bucket.reserve(101.0) == pytest.approx(1.0)  # 0.5 back, 0.5 missing: 1 s
    assert bucket.reserve(1000.0) == 0.0  # long idle: full again, not more
    assert bucket.reserve(1000.0) == 0.0
    assert bucket.reserve(1000.0) == pytest.approx(2.0)


def test_bucket_ignores_a_clock_going_backwards() -> None:
    bucket = TokenBucket(rate=1.0, capacity=1, now=10.0)
    assert bucket.reserve(10.0) == 0.0
    assert bucket.reserve(5.0) == pytest.approx(1.0)


def test_bucket_per_minute() -> None:
    bucket = TokenBucket.per_minute(20, now=0.0)
    assert (bucket.rate, bucket.capacity) == (pytest.approx(1 / 3), 5)
    assert [bucket.reserve(0.0) for _ in range(6)] == [0.0] * 5 + [pytest.approx(3.0)]
    assert TokenBucket.per_minute(0.5, now=0.0).capacity == 1


def test_bucket_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        TokenBucket(rate=0, capacity=1, now=0)


# --- retry policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retry_after", "attempt", "expected"),
    [
        (200, None, 1, Decision("done")),
        (204, None, 3, Decision("done")),
        (429, "1", 1, Decision("retry", 1.0)),
        (429, "120", 1, Decision("retry", 120.0)),  # honoured beyond the back-off cap
        (429, None, 3, Decision("retry", 4.0)),
        (429, "Wed, 21 Oct 2026 07:28:00 GMT", 1, Decision("retry", 1.0)),  # date: back-off
        (500, None, 1, Decision("retry", 1.0)),
        (503, "30", 2, Decision("retry", 2.0)),
        (408, None, 1, Decision("retry", 1.0)),
        (None, None, 4, Decision("retry", 8.0)),  # network error or timeout
        (None, None, 30, Decision("retry", 60.0)),  # capped
        (400, None, 1, Decision("give_up")),  # invalid_payload
        (403, None, 1, Decision("give_up")),
        (404, None, 1, Decision("give_up")),  # no_service: a bad URL
        (410, None, 1, Decision("give_up")),  # channel_is_archived
        (302, None, 1, Decision("give_up")),  # redirects are not followed
    ],
)
def test_decide(
    status: int | None, retry_after: str | None, attempt: int, expected: Decision
) -> None:
    assert decide(status, retry_after, attempt, first_delay=1.0, max_delay=60.0) == expected


def test_backoff_and_retry_after() -> None:
    assert [backoff(n, 0.5, 5.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff(10_000, 1.0, 60.0) == 60.0
    assert retry_after_seconds(" 2 ") == 2.0
    assert retry_after_seconds("0.5") == 0.5
    assert retry_after_seconds("-1") is None
    assert retry_after_seconds("nan") is None
    assert retry_after_seconds("999999") == 3600.0
    assert retry_after_seconds(None) is None


# --- the sender loop ---------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """A ``post`` answering from a list and recording (time, body)."""

    def __init__(self, clock: FakeClock, answers: list[Response]) -> None:
        self.clock = clock
        self.answers = answers
        self.calls: list[tuple[float, bytes]] = []

    async def __call__(self, body: bytes) -> Response:
        self.calls.append((self.clock.now, body))
        return self.answers.pop(0) if self.answers else Response(200)


def _sender(script: Script, clock: FakeClock, rate: float = 60) -> SlackSender:
    return SlackSender(script, rate_per_minute=rate, max_delay=4.0, first_delay=0.5, clock=clock)


def test_retries_until_slack_takes_it(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    script = Script(
        clock,
        [
            Response(None, body="ClientConnectorError: refused"),
            Response(500, body="oops"),
            Response(429, "3", "rate_limited"),
            Response(503),
            Response(200, body="ok"),
        ],
    )
    with caplog.at_level(logging.INFO):
        assert asyncio.run(_sender(script, clock).send({"text": "hi"}, "the notice")) is True
    assert [t for t, _ in script.calls] == [0.0, 0.5, 1.5, 4.5, 8.5]
    assert clock.sleeps == [0.5, 1.0, 3.0, 4.0]  # back-off 0.5, 1; Retry-After 3; back-off 4
    assert {body for _, body in script.calls} == {b'{"text":"hi"}'}
    assert "posted the notice to Slack after 5 attempts" in caplog.text


def test_gives_up_on_a_permanent_rejection(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    script = Script(clock, [Response(404, body="no_service")])
    assert asyncio.run(_sender(script, clock).send({"text": "hi"}, "the notice")) is False
    assert len(script.calls) == 1
    assert "Slack rejected the notice with HTTP 404 'no_service'; giving it up" in caplog.text


def test_posts_are_rate_limited() -> None:
    clock = FakeClock()
    script = Script(clock, [])
    sender = _sender(script, clock, rate=6)  # one per 10 s, bursts of 5

    async def many() -> None:
        for n in range(7):
            await sender.send({"n": n}, f"notice {n}")

    asyncio.run(many())
    assert [t for t, _ in script.calls] == [0, 0, 0, 0, 0, 10, 20]


def test_retries_count_against_the_rate() -> None:
    clock = FakeClock()
    script = Script(clock, [Response(500)] * 2)
    sender = SlackSender(script, rate_per_minute=1, max_delay=4.0, first_delay=0.5, clock=clock)
    assert asyncio.run(sender.send({}, "x")) is True
    assert [t for t, _ in script.calls] == [0, 60, 120]  # the bucket, not the back-off, waits


def test_cancellation_propagates() -> None:
    clock = FakeClock()

    async def hang(_: bytes) -> Response:
        await asyncio.sleep(3600)
        raise AssertionError

    async def scenario() -> None:
        sender = SlackSender(hang, rate_per_minute=60, max_delay=1.0, clock=clock)
        task = asyncio.ensure_future(sender.send({}, "x"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())


# --- secret hygiene ----------------------------------------------------------------------

URL = "https://hooks.slack.com/services/T0000/B0000/s3cr3tT0k3n"


def test_mask_webhook() -> None:
    text = f"InvalidURL: {URL} and path /services/T0000/B0000/s3cr3tT0k3n"
    assert mask_webhook(text, URL) == "InvalidURL: *** and path /***"
    assert mask_webhook("Cannot connect to host x:1", "http://x:1/") == "Cannot connect to host x:1"


def test_network_errors_never_show_the_url() -> None:
    async def scenario() -> Response:
        post = HttpPost(SecretStr("http://127.0.0.1:1/services/T0000/B0000/s3cr3tT0k3n"), 2.0)
        try:
            return await post(b"{}")
        finally:
            await post.close()

    response = asyncio.run(scenario())
    assert response.status is None
    assert response.body  # the reason, e.g. ClientConnectorError: Cannot connect to host ...
    assert "s3cr3tT0k3n" not in response.body
