"""The Teams notify agent inside Faust's test context, posting to a local Workflows stand-in.

No broker: ``agent.test_context()`` feeds incident rows (JSON bytes as on the
``incidents`` topic) to the ``notify-teams`` agent, which posts Adaptive Cards
to a local HTTP server answering like a Workflows webhook (202) and records
its notices in the ``teams-notified`` table. With Slack on too, each channel
has its own agent and table, and a message is acknowledged at a stop only
once both agents released it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from clickhouse_connect.driver.client import Client
from faust.types import TP, Message
from pydantic import SecretStr

from streams.settings import Settings
from streams.worker.build import build_worker
from streams.worker.holds import hold, readers, release
from tests.support.webhooks import SIGNATURE, WebhookDouble, card, facts, texts

UNREACHABLE_BROKER = "kafka://127.0.0.1:1"  # test_context never connects
START = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
SLACK_PATH = "/services/T1/B1/secret"


def _row(version: int, **overrides: Any) -> bytes:
    row: dict[str, Any] = {
        "incident_id": "inc-teams-1",
        "service": "api",
        "environment": "production",
        "status": "open",
        "severity": "high",
        "title": "HighErrors",
        "started_at": START,
        "detected_at": START,
        "alert_ids": ["a1"],
        "ticket_ids": [],
        "is_deleted": 0,
        "version": version,
    }
    row.update(overrides)
    return orjson.dumps(row)


RESOLVED = {
    "status": "resolved",
    "resolved_at": START + timedelta(minutes=12),
    "ttr_seconds": 720.0,
}


def _with(settings: Settings, **urls: str) -> Settings:
    update: dict[str, Any] = {"slack_retry_max_seconds": 0.2}
    if "teams" in urls:
        update |= {"teams_webhook_url": SecretStr(urls["teams"]), "teams_rate_per_minute": 600}
    if "slack" in urls:
        update |= {"slack_webhook_url": SecretStr(urls["slack"]), "slack_rate_per_minute": 600}
    return settings.model_copy(update=update)


async def _feed(agent: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """Put ``(key, value)`` rows into the agent and wait until each is acknowledged."""
    async with agent.test_context() as ctx:
        sent = [await ctx.put(value, key=key) for key, value in rows]
        deadline = asyncio.get_running_loop().time() + 10
        while not all(e.message.acked for e in sent):
            assert asyncio.get_running_loop().time() < deadline, "not acknowledged in time"
            await asyncio.sleep(0.02)


def test_teams_alone(settings: Settings, client: Client) -> None:
    """Retries until the workflow takes it, once per notice, recorded in its own table."""
    with WebhookDouble([(502, {}), (429, {"Retry-After": "0.1"})]) as endpoint:
        app = build_worker(_with(settings, teams=endpoint.url), client, broker=UNREACHABLE_BROKER)
        assert ("notify" in app.agents, "slack-notified" in app.tables) == (False, False)
        agent, table = app.agents["notify-teams"], app.tables["teams-notified"]
        rows = [
            _row(1),
            _row(1),
            _row(2, ticket_ids=["T-1"]),
            _row(3, ticket_ids=["T-1"], **RESOLVED),
        ]
        rows += [b"{not json", _row(1, incident_id="inc-gone", is_deleted=1), _row(1)]
        asyncio.run(_feed(agent, [(b"inc-teams-1", value) for value in rows]))
        contents = dict(table.items())
    assert endpoint.statuses() == [502, 429, 202, 202]
    opened, resolved = (card(body) for body in endpoint.bodies)
    assert texts(opened)[:2] == ["🚨 Incident opened: api (production)", "HighErrors"]
    assert texts(resolved)[0] == "✅ Incident resolved after 12m: api (production)"
    assert ("Time to repair", "12m") in facts(resolved)
    assert ("Tickets", "T-1") in facts(resolved)
    assert contents == {
        "inc-teams-1": {
            "version": 3,
            "deleted": False,
            "done": {"opened": "sent", "resolved": "sent"},
        },
        "inc-gone": {"version": 1, "deleted": True, "done": {}},
    }


def test_each_channel_posts_and_records_on_its_own(settings: Settings, client: Client) -> None:
    """Teams refuses the opened notice for good; Slack posts both. Tables and counters differ."""
    with (
        WebhookDouble([(404, {})]) as teams,
        WebhookDouble(path=SLACK_PATH, success=200) as slack,
    ):
        app = build_worker(
            _with(settings, teams=teams.url, slack=slack.url), client, broker=UNREACHABLE_BROKER
        )
        rows = [(b"inc-teams-1", _row(1)), (b"inc-teams-1", _row(2, **RESOLVED))]

        async def both() -> None:  # one test context at a time
            await _feed(app.agents["notify-teams"], rows)
            await _feed(app.agents["notify"], rows)

        asyncio.run(both())
        tables = {
            name: dict(app.tables[name].items()) for name in ("slack-notified", "teams-notified")
        }
    assert (slack.statuses(), teams.statuses()) == ([200, 200], [404, 202])
    assert [b["text"][:17] for b in slack.bodies] == ["Incident opened: ", "Incident resolved"]
    assert [texts(card(b))[0][:19] for b in teams.bodies] == ["✅ Incident resolved"]
    done = {"version": 2, "deleted": False, "done": {"opened": "sent", "resolved": "sent"}}
    assert tables == {
        "slack-notified": {"inc-teams-1": done},
        "teams-notified": {"inc-teams-1": done},
    }


def test_a_stop_acknowledges_only_what_both_channels_released(
    settings: Settings, client: Client
) -> None:
    """One channel's release must not let the stop commit pass a message the other never took."""
    app = build_worker(
        _with(
            settings, teams=f"http://127.0.0.1:1/x?sig={SIGNATURE}", slack="http://127.0.0.1:1/s"
        ),
        client,
        broker="kafka://127.0.0.1:9092",  # the consumer is built, never connected
    )
    consumer, topic = app.consumer, settings.topic_incidents
    assert (readers(app, topic), readers(app, settings.topic_alerts)) == (2, 1)
    app.topics._acking_topics.add(topic)  # what subscribing the agents does at start
    app.consumer_generation_id = 1

    def message(offset: int) -> Message:
        taken = Message(topic, 0, offset, 0.0, 0, None, b"k", b"{}", None, generation_id=1)
        hold(app, taken)  # the Slack agent took it
        hold(app, taken)  # the Teams agent took it
        return taken

    app._stopped.set()  # the worker stops (SIGTERM)
    app.flow_control.suspend()
    one, both = message(0), message(1)
    release(app, one)  # Slack wrote its notice; Teams never got to it
    release(app, both)
    release(app, both)
    assert not consumer.ack(one)
    assert consumer.ack(both)
    assert consumer._acked[TP(topic, 0)] == [1]
