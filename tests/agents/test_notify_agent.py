"""The ``notify`` agent inside Faust's test context, posting to a local HTTP receiver.

No broker: ``agent.test_context()`` feeds incident rows (JSON bytes as on the
``incidents`` topic) to the agent, which posts to an aiohttp receiver in the
same event loop and records its notices in the ``slack-notified`` table.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web
from clickhouse_connect.driver.client import Client
from pydantic import SecretStr

from streams.devtools.broker.local import free_port
from streams.settings import Settings
from streams.worker.build import build_worker

UNREACHABLE_BROKER = "kafka://127.0.0.1:1"  # test_context never connects
START = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)


def _row(version: int, **overrides: Any) -> bytes:
    row: dict[str, Any] = {
        "incident_id": "inc-agent-1",
        "service": "api",
        "environment": "production",
        "status": "open",
        "severity": "high",
        "category": "availability",
        "title": "HighErrors",
        "started_at": START,
        "detected_at": START,
        "acknowledged_at": None,
        "resolved_at": None,
        "ttr_seconds": None,
        "alert_ids": ["a1"],
        "ticket_ids": [],
        "reopen_count": 0,
        "completed": 0,
        "quality_flags": [],
        "is_deleted": 0,
        "version": version,
        "updated_at": START,
    }
    row.update(overrides)
    return orjson.dumps(row)


RESOLVED = {
    "status": "resolved",
    "resolved_at": START + timedelta(minutes=12),
    "ttr_seconds": 720.0,
}


class Receiver:
    """A local webhook: answers from a script (then 200) and records every JSON body."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        status = self.answers.pop(0) if self.answers else 200
        self.statuses.append(status)
        if status == 200:
            self.bodies.append(await request.json())
            return web.Response(text="ok")
        return web.Response(status=status, text="no_service" if status == 404 else "busy")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/services/T1/B1/secret", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def _settings(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={
            "slack_webhook_url": SecretStr(f"http://127.0.0.1:{port}/services/T1/B1/secret"),
            "slack_retry_max_seconds": 0.2,
            "slack_rate_per_minute": 600,
        }
    )


def test_no_agent_without_a_webhook(settings: Settings, client: Client) -> None:
    app = build_worker(settings, client, broker=UNREACHABLE_BROKER)
    assert "notify" not in app.agents
    assert "slack-notified" not in app.tables


def test_notices_once_each_with_retries(settings: Settings, client: Client) -> None:
    async def scenario() -> tuple[Receiver, dict[str, Any]]:
        async with Receiver([500, 503]) as receiver:
            app = build_worker(
                _settings(settings, receiver.port), client, broker=UNREACHABLE_BROKER
            )
            agent, table = app.agents["notify"], app.tables["slack-notified"]
            async with agent.test_context() as ctx:
                sent = [
                    await ctx.put(_row(1), key=b"inc-agent-1"),
                    await ctx.put(_row(1), key=b"inc-agent-1"),  # re-written version
                    await ctx.put(_row(2, ticket_ids=["T-1"]), key=b"inc-agent-1"),
                    await ctx.put(_row(3, **RESOLVED), key=b"inc-agent-1"),
                    await ctx.put(b"{not json", key=b"x"),  # logged and skipped
                    await ctx.put(_row(1, incident_id="inc-gone", is_deleted=1), key=b"inc-gone"),
                    await ctx.put(_row(1), key=b"inc-agent-1"),  # replayed
                ]
                await _wait_for(lambda: all(e.message.acked for e in sent))
            return receiver, dict(table.items())

    receiver, table = asyncio.run(scenario())
    assert receiver.statuses == [500, 503, 200, 200]
    assert [b["text"] for b in receiver.bodies] == [
        "Incident opened: api (production), high: HighErrors",
        "Incident resolved after 12m: api (production), high: HighErrors",
    ]
    assert table == {
        "inc-agent-1": {
            "version": 3,
            "deleted": False,
            "done": {"opened": "sent", "resolved": "sent"},
        },
        "inc-gone": {"version": 1, "deleted": True, "done": {}},
    }


def test_rejected_notice_is_given_up_and_recorded(settings: Settings, client: Client) -> None:
    async def scenario() -> tuple[Receiver, dict[str, Any]]:
        async with Receiver([404]) as receiver:
            app = build_worker(
                _settings(settings, receiver.port), client, broker=UNREACHABLE_BROKER
            )
            agent, table = app.agents["notify"], app.tables["slack-notified"]
            async with agent.test_context() as ctx:
                sent = [
                    await ctx.put(_row(1), key=b"inc-agent-1"),
                    await ctx.put(_row(2, **RESOLVED), key=b"inc-agent-1"),
                ]
                await _wait_for(lambda: all(e.message.acked for e in sent))
            return receiver, dict(table.items())

    receiver, table = asyncio.run(scenario())
    assert receiver.statuses == [404, 200]  # the opened notice was given up, not retried
    assert [b["text"][:17] for b in receiver.bodies] == ["Incident resolved"]
    assert table["inc-agent-1"]["done"] == {"opened": "sent", "resolved": "sent"}
