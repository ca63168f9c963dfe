"""The hostile corpus POSTed to ``/events`` of the in-process gateway (injected publisher).

Every entry gets a 4xx with a JSON ``error`` and nothing reaches the publisher,
except the entries marked ``http_ok``: a valid event meant for another topic
(over HTTP the gateway routes by ``type``, so there is no topic to mismatch)
and an array holding one valid event (a batch). Bodies over the limit get 413.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.app import GatewayConfig, create_app, own_events
from tests.support.factories import alert, deploy, ticket
from tests.support.hostile_corpus import CORPUS, SQL_STRINGS, Entry, MiB, oversized_entries
from tests.support.strategies import FIELDS, factories, json_values

Client = TestClient[Any, Any]


class Recorder:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, events: Sequence[dict[str, Any]]) -> None:
        self.published.extend(events)

    async def health(self) -> None:
        return None


def run(scenario: Callable[[Client], Awaitable[None]]) -> Recorder:
    recorder = Recorder()
    app = create_app(
        GatewayConfig(max_body_bytes=MiB, timeout_s=5.0),
        {"events": own_events},
        recorder.publish,
        recorder.health,
    )

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())
    return recorder


async def post(client: Client, body: bytes) -> tuple[int, Any]:
    response = await client.post("/events", data=body, headers={"Content-Type": "application/json"})
    return response.status, await response.json()


HOSTILE = [e for e in CORPUS if not e.http_ok]
HTTP_OK = [e for e in CORPUS if e.http_ok]


@pytest.mark.parametrize("entry", HOSTILE, ids=[e.file for e in HOSTILE])
def test_corpus_entry_is_a_4xx_with_a_json_error(entry: Entry) -> None:
    answers: list[tuple[int, Any]] = []

    async def scenario(client: Client) -> None:
        answers.append(await post(client, entry.raw))

    recorder = run(scenario)
    [(status, body)] = answers
    assert 400 <= status < 500, body
    assert status == 400
    assert isinstance(body, dict) and set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"].strip()
    assert recorder.published == []


@pytest.mark.parametrize("entry", HTTP_OK, ids=[e.file for e in HTTP_OK])
def test_entries_only_wrong_on_a_topic_are_accepted_over_http(entry: Entry) -> None:
    answers: list[tuple[int, Any]] = []

    async def scenario(client: Client) -> None:
        answers.append(await post(client, entry.raw))

    recorder = run(scenario)
    [(status, body)] = answers
    assert status == 200, body
    assert body["accepted"] == 1
    assert len(recorder.published) == 1


@pytest.mark.parametrize(("name", "raw", "reason"), oversized_entries(), ids=lambda v: str(v)[:20])
def test_oversized_body_is_413(name: str, raw: bytes, reason: str) -> None:
    answers: list[tuple[int, Any]] = []

    async def scenario(client: Client) -> None:
        answers.append(await post(client, raw))

    recorder = run(scenario)
    [(status, body)] = answers
    assert status == 413, body
    assert body == {"error": f"body exceeds the {MiB} byte limit"}
    assert recorder.published == []


def test_one_bad_event_in_a_batch_rejects_the_whole_batch() -> None:
    """Hostile entries inside an array with valid events: 400, and none of it is published."""
    answers: list[tuple[int, Any]] = []
    bad = [orjson.loads(e.raw) for e in HOSTILE if e.file.startswith(("service_", "ts_"))]

    async def scenario(client: Client) -> None:
        for item in bad:
            batch = [alert(), item, deploy(), ticket()]
            answers.append(await post(client, orjson.dumps(batch)))

    recorder = run(scenario)
    assert len(answers) == len(bad) > 20
    for status, body in answers:
        assert status == 400, body
        assert body["error"].startswith("[1] ")
    assert recorder.published == []


def test_sql_looking_strings_in_valid_events_are_published_unchanged() -> None:
    events = [
        alert(service=text, summary=text, labels={text: text}, source=text) for text in SQL_STRINGS
    ] + [ticket(title=text, url=text, ticket_id=text) for text in SQL_STRINGS]
    answers: list[tuple[int, Any]] = []

    async def scenario(client: Client) -> None:
        answers.append(await post(client, orjson.dumps(events)))

    recorder = run(scenario)
    assert answers[0][0] == 200, answers
    assert recorder.published == events


@settings(max_examples=300, derandomize=True, deadline=None)
@given(factory=factories, field=st.sampled_from(FIELDS), value=json_values)
def test_own_events_accepts_exactly_what_the_contract_accepts(
    factory: Any, field: str, value: Any
) -> None:
    """The ``/events`` converter never raises anything but ``PayloadError`` (a 400)."""
    event = factory()
    event[field] = value
    body = orjson.dumps(event)
    try:
        EVENT_ADAPTER.validate_python(orjson.loads(body))
    except ValueError:
        with pytest.raises(PayloadError) as info:
            own_events(body, {}, {})
        assert str(info.value).startswith("[0] ")
    else:
        assert own_events(body, {}, {}).events == [event]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(body=st.binary(max_size=500))
def test_own_events_on_arbitrary_bytes(body: bytes) -> None:
    try:
        converted = own_events(body, {}, {})
    except PayloadError as exc:
        assert str(exc).strip()
    else:
        assert converted.events
        for item in converted.events:
            EVENT_ADAPTER.validate_python(item)
