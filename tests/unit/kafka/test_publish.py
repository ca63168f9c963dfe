"""publish_lines with producer=None: a dry run that validates and counts, sending nothing."""

from __future__ import annotations

from streams.kafka.publish import PublishReport, publish_lines
from streams.settings import Settings
from tests.support.factories import alert, as_line, deploy, ticket, without


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "topic_alerts": "alerts",
        "topic_deploys": "deploys",
        "topic_tickets": "tickets",
        "max_message_bytes": 4096,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def numbered(*lines: bytes) -> list[tuple[int, bytes]]:
    return list(enumerate(lines, start=1))


def test_valid_lines_are_counted_per_topic() -> None:
    lines = numbered(
        as_line(alert()) + b"\n",
        as_line(deploy()) + b"\n",
        as_line(alert(status="resolved")) + b"\n",
        as_line(ticket()) + b"\n",
        as_line(alert()) + b"\n",
        as_line(ticket(status="closed")),
    )
    report = publish_lines(lines, settings(), None)
    assert report == PublishReport(
        published=6,
        invalid=[],
        failed=[],
        by_topic={"alerts": 3, "deploys": 1, "tickets": 2},
    )


def test_invalid_lines_are_listed_with_line_numbers_and_reasons() -> None:
    too_big = as_line(alert(summary="s" * 5000))
    lines = numbered(
        as_line(alert()) + b"\n",
        b"{not json\n",
        as_line(without(deploy(), "deploy_id")) + b"\n",
        as_line(ticket()) + b"\n",
        b"[1, 2]\n",
        as_line(alert(occurred_at="2026-03-02T10:00:00")) + b"\n",
        too_big + b"\n",
    )
    report = publish_lines(lines, settings(), None)
    assert report.published == 2
    assert report.by_topic == {"alerts": 1, "tickets": 1}
    assert [number for number, _ in report.invalid] == [2, 3, 5, 6, 7]
    reasons = dict(report.invalid)
    assert reasons[2].startswith("not valid JSON: ")
    assert reasons[3] == "deploy_id: Field required"
    assert reasons[5] == "expected a JSON object, got list"
    assert reasons[6] == (
        "occurred_at: timestamp has no UTC offset (naive timestamps are rejected; add Z or +HH:MM)"
    )
    assert reasons[7] == f"message of {len(too_big)} bytes exceeds the 4096 byte limit"


def test_blank_lines_are_skipped() -> None:
    lines = [
        (1, b"\n"),
        (2, as_line(deploy()) + b"\n"),
        (3, b"   \t \n"),
        (4, b"\r\n"),
        (5, b""),
        (6, as_line(ticket()) + b"\r\n"),
    ]
    report = publish_lines(lines, settings(), None)
    assert report == PublishReport(
        published=2, invalid=[], failed=[], by_topic={"deploys": 1, "tickets": 1}
    )


def test_line_numbers_come_from_the_caller() -> None:
    lines = [(10, as_line(alert())), (20, b"oops"), (30, b"")]
    report = publish_lines(lines, settings(), None)
    assert [number for number, _ in report.invalid] == [20]


def test_on_line_sees_every_raw_line_length() -> None:
    seen: list[int] = []
    event = as_line(alert()) + b"\n"
    publish_lines(numbered(b"\n", b"abc\n", event), settings(), None, on_line=seen.append)
    assert seen == [1, 4, len(event)]


def test_topics_follow_the_settings() -> None:
    report = publish_lines(
        numbered(as_line(alert()), as_line(deploy())),
        settings(topic_alerts="prod.alerts", topic_deploys="prod.deploys"),
        None,
    )
    assert report.by_topic == {"prod.alerts": 1, "prod.deploys": 1}


def test_empty_input() -> None:
    assert publish_lines([], settings(), None) == PublishReport()
