"""Teams notices end to end beside Slack: real broker, ``mttr worker``, two local webhooks.

One incident opens (an alert), is acknowledged (a ticket) and resolves (the
alert), published step by step with event times of the last hour. The Teams
stand-in answers like a Workflows webhook (202 Accepted, signed URL checked):
it fails the first post with 502 and the second with 429 and
``Retry-After: 1``; the Slack stand-in takes every post. Each must receive
exactly three notices, in order, with the hand-computed facts, while both
agents read the same incidents topic. Then the worker is stopped, the group's
offsets on the incidents topic are reset to the beginning and a duplicate
event is sent: the restarted worker re-reads every incident version and
neither channel posts again. The URL's signature never reaches the logs.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.kafka.lag import wait_caught_up
from streams.settings import Settings
from tests.support.kafka_topics import publish, rewind
from tests.support.processes import start_worker, wait_status
from tests.support.webhooks import SIGNATURE, WebhookDouble, card, facts, links, texts

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LINK = "https://grafana.example/d/mttr-incident-drilldown?var-incident={incident_id}"


def test_open_acknowledge_resolve_posts_three_cards_once_beside_slack(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    # event times in the last hour (MTTR_SLACK_MAX_AGE_S keeps its default of 1 h)
    base = (datetime.now(UTC) - timedelta(minutes=50)).replace(second=0, microsecond=0)

    def at(minutes: float) -> str:
        return (base + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")

    def utc(minutes: float) -> str:
        return (base + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S UTC")

    firing = {
        "event_id": "tn-1",
        "type": "alert",
        "service": "checkout",
        "occurred_at": at(0),
        "alert_id": "checkout-errors",
        "name": "CheckoutErrors",
        "status": "firing",
        "severity": "critical",
    }
    opened = {
        "event_id": "tn-2",
        "type": "ticket",
        "service": "checkout",
        "occurred_at": at(2),
        "ticket_id": "INC-7",
        "status": "opened",
        "title": "Checkout **[fails](https://evil.example)** & times out",
    }
    acknowledged = {**opened, "event_id": "tn-3", "occurred_at": at(4.5), "status": "acknowledged"}
    resolved = {**firing, "event_id": "tn-4", "occurred_at": at(47.5), "status": "resolved"}

    teams = WebhookDouble([(502, {}), (429, {"Retry-After": "1"})])
    slack = WebhookDouble(path="/services/T000/B000/secret", success=200)
    settings = isolated_settings.model_copy(
        update={
            "teams_webhook_url": SecretStr(teams.url),
            "teams_link_template": LINK,
            "slack_webhook_url": SecretStr(slack.url),
            "sink_batch_seconds": 0.2,
            "idle_flush_s": 1.0,
        }
    )
    codes: list[int] = []
    with teams, slack:
        worker = start_worker(settings, tmp_path / "worker-1.log")
        try:
            publish(settings, firing)
            teams.wait_bodies(1)
            publish(settings, opened, acknowledged)
            teams.wait_bodies(2)
            publish(settings, resolved)
            bodies = teams.wait_bodies(3)
            slack.wait_bodies(3)
            wait_status(settings, lambda status: status["completed_by_idle"] >= 1)
            wait_processed(settings)
            wait_caught_up(settings, topics=(settings.topic_incidents,))
            first_status = wait_status(settings, lambda status: True)
        finally:
            codes.append(stop_process(worker))

        rewind(settings, settings.topic_incidents)
        worker = start_worker(settings, tmp_path / "worker-2.log")
        try:
            publish(settings, resolved)  # a duplicate: its incident's row is written again
            wait_processed(settings)
            wait_caught_up(settings, topics=(settings.topic_incidents,))
            second_status = wait_status(settings, lambda status: True)
            time.sleep(2)  # room for a (wrong) late post
        finally:
            codes.append(stop_process(worker))
    logs = [(tmp_path / f"worker-{n}.log").read_text() for n in (1, 2)]
    assert codes == [0, 0], [log[-3000:] for log in logs]
    assert SIGNATURE not in "".join(logs)

    # Teams retried: 502, then 429 honoured for a second, then the three cards
    assert teams.statuses() == [502, 429, 202, 202, 202]
    assert teams.requests[2][0] - teams.requests[1][0] >= 1.0
    assert slack.statuses() == [200, 200, 200]  # never held back by Teams' failures
    counts = ("teams_sent", "teams_failed", "slack_sent", "slack_failed")
    assert tuple(first_status[name] for name in counts) == (3, 0, 3, 0)
    assert (second_status["teams_sent"], second_status["slack_sent"]) == (0, 0)
    assert (second_status["teams_skipped"], second_status["slack_skipped"]) == (0, 0)
    assert teams.bodies == bodies  # nothing after the restart
    assert len(slack.bodies) == 3

    cards = [card(body) for body in bodies]
    title = "Checkout **[fails](https://evil.example)** & times out"  # plain text, verbatim
    assert [texts(c)[:2] for c in cards] == [
        ["🚨 Incident opened: checkout (production)", "CheckoutErrors"],
        ["👀 Incident acknowledged: checkout (production)", title],
        ["✅ Incident resolved after 47m 30s: checkout (production)", title],
    ]
    severity = [("Severity", "critical"), ("Environment", "production"), ("Started", utc(0))]
    assert [facts(c) for c in cards] == [
        severity,
        [*severity, ("Acknowledged", utc(4.5)), ("Tickets", "INC-7")],
        [
            *severity,
            ("Acknowledged", utc(4.5)),
            ("Resolved", utc(47.5)),
            ("Time to repair", "47m 30s"),
            ("Tickets", "INC-7"),
        ],
    ]
    incident_id = texts(cards[0])[-1].split()[1]
    assert [texts(c)[-1] for c in cards] == [
        f"Incident {incident_id} · version {version}" for version in (1, 3, 4)
    ]
    assert [links(c) for c in cards] == [[LINK.format(incident_id=incident_id)]] * 3
    assert [b["text"][:22] for b in slack.bodies] == [
        "Incident opened: check",
        "Incident acknowledged:",
        "Incident resolved afte",
    ]
