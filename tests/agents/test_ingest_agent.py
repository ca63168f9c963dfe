"""The ingest agent inside Faust's test context, writing to the real chDB engine.

No broker here: ``agent.test_context()`` feeds the agent directly. Dead
letters are collected in a list instead of a topic (the integration tier
checks the real topic).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from clickhouse_connect.driver.client import Client

from streams.settings import Settings
from streams.worker.build import WorkerIO, build_worker

ALERT = {
    "event_id": "e1",
    "type": "alert",
    "service": "api",
    "occurred_at": "2026-03-01T12:00:00Z",
    "alert_id": "a1",
    "name": "HighErrors",
    "status": "firing",
    "severity": "high",
}
UNREACHABLE_BROKER = "kafka://127.0.0.1:1"  # test_context never connects


async def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def _stored(client: Client) -> list[tuple[str, int]]:
    return client.query(
        "SELECT event_id, count() FROM mttr.events FINAL GROUP BY event_id ORDER BY event_id"
    ).result_rows


def test_mixed_batch_stores_valid_and_dead_letters_invalid(
    settings: Settings, client: Client
) -> None:
    dead: list[tuple[bytes | None, bytes, dict[str, bytes]]] = []

    async def collect(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        dead.append((key, value, dict(headers)))

    forwarded: list[str] = []

    async def forward(events: list[Any], _watermark: int | None) -> None:
        forwarded.extend(d.event.event_id for d in events)

    io = WorkerIO(send_dead_letter=collect, forward=forward)
    app = build_worker(settings, client, broker=UNREACHABLE_BROKER, io=io)
    agent = app.agents["ingest"]

    async def scenario() -> list[Any]:
        async with agent.test_context() as ctx:
            sent = [
                await ctx.put(orjson.dumps(ALERT), key=b"api"),
                await ctx.put(b"{not json", key=b"api"),
                await ctx.put(orjson.dumps({**ALERT, "event_id": "e2"}), key=b"api"),
                await ctx.put(orjson.dumps({**ALERT, "event_id": "e1"}), key=b"api"),  # dup
            ]
            await _wait_for(lambda: all(e.message.acked for e in sent))
            return sent

    asyncio.run(scenario())
    assert _stored(client) == [("e1", 1), ("e2", 1)]
    assert forwarded == ["e1", "e2", "e1"]  # duplicates are the engine's job
    assert len(dead) == 1
    key, value, headers = dead[0]
    assert (key, value) == (b"api", b"{not json")
    assert headers["reason"].startswith(b"not valid JSON")
    assert headers["source_offset"] == b"1"


def test_batch_is_held_until_clickhouse_accepts_it(settings: Settings, client: Client) -> None:
    """While inserts fail the batch stays unacknowledged; once they succeed it is stored."""
    client.command("RENAME TABLE mttr.events TO mttr.events_away")

    async def no_dead_letters(*_: Any) -> None:
        raise AssertionError("nothing here is invalid")

    async def no_forward(_: list[Any], __: int | None) -> None:
        return None

    io = WorkerIO(send_dead_letter=no_dead_letters, forward=no_forward)
    app = build_worker(settings, client, broker=UNREACHABLE_BROKER, io=io)
    agent = app.agents["ingest"]

    async def scenario() -> None:
        async with agent.test_context() as ctx:
            event = await ctx.put(orjson.dumps(ALERT), key=b"api")
            await asyncio.sleep(1.0)  # several failed attempts with back-off
            assert not event.message.acked
            client.command("RENAME TABLE mttr.events_away TO mttr.events")
            await _wait_for(lambda: event.message.acked)

    asyncio.run(scenario())
    assert _stored(client) == [("e1", 1)]
