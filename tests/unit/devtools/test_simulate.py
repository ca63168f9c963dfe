from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.events import EVENT_ADAPTER, SEVERITIES, ChangeEvent, DeployEvent
from streams.devtools.simulate import Profile, service_names, simulate
from tests.support.engine import VOLATILE, run

END = datetime(2026, 6, 30, tzinfo=UTC)


def test_same_seed_same_events_other_seed_other_events() -> None:
    assert simulate(3, 20, 7, END) == simulate(3, 20, 7, END)
    assert simulate(3, 20, 7, END) != simulate(3, 20, 8, END)


def test_every_event_is_valid_unique_in_time_order_and_in_range() -> None:
    events = simulate(12, 90, 1, END)
    parsed = [EVENT_ADAPTER.validate_python(e) for e in events]
    assert len({e.event_id for e in parsed}) == len(parsed)
    times = [e.occurred_at for e in parsed]
    assert times == sorted(times)
    assert all(datetime(2026, 4, 1, tzinfo=UTC) <= t < END for t in times)
    assert {e.service for e in parsed} == set(service_names(12))


def test_history_has_the_promised_ingredients() -> None:
    events = simulate(12, 90, 1, END)
    kinds = Counter((e["type"], e["status"]) for e in events)
    assert kinds[("alert", "firing")] > 100
    assert kinds[("ticket", "acknowledged")] > 50
    assert kinds[("deploy", "failed")] > 0
    assert any(e.get("kind") == "rollback" for e in events)
    assert any(e.get("category") == "security" for e in events)
    severities = Counter(e["severity"] for e in events if e["type"] == "alert")
    assert set(severities) == set(SEVERITIES)
    # flapping: some alert fires more than once
    fired = Counter(
        e["alert_id"] for e in events if e["type"] == "alert" and e["status"] == "firing"
    )
    assert max(fired.values()) >= 2


def test_service_names_run_past_the_builtin_list() -> None:
    names = service_names(14)
    assert names[:2] == ["checkout", "payments"]
    assert names[12:] == ["checkout-2", "payments-2"]
    assert len(set(names)) == 14


def test_changes_are_opt_in_and_leave_the_other_events_alone() -> None:
    plain = simulate(3, 20, 7, END)
    with_changes = simulate(3, 20, 7, END, Profile(changes_per_deploy=2.0))
    changes = [e for e in with_changes if e["type"] == "change"]
    others = [{k: v for k, v in e.items() if k != "commit_sha"} for e in with_changes]
    assert [e for e in others if e["type"] != "change"] == plain
    assert not any(e["type"] == "change" for e in plain)
    assert not any("commit_sha" in e for e in plain)
    assert changes == [e for e in simulate(3, 20, 7, END, Profile(changes_per_deploy=2.0))
                       if e["type"] == "change"]  # fmt: skip
    assert len(changes) > 60  # about 2 per release/config deploy
    start = datetime(2026, 6, 10, tzinfo=UTC)
    parsed = [EVENT_ADAPTER.validate_python(e) for e in changes]
    assert all(start <= e.occurred_at < END for e in parsed)
    assert len({e.event_id for e in parsed}) == len(parsed)
    assert any(e["change_id"] == e["commit_sha"] for e in changes)  # direct pushes
    assert any(e["change_id"].startswith("PR-") for e in changes)


def test_a_shipping_deploy_names_the_commit_of_the_last_change_landed_before_it() -> None:
    events = simulate(2, 10, 3, END, Profile(changes_per_deploy=2.0))
    parsed = [EVENT_ADAPTER.validate_python(e) for e in events]
    landed = {e.commit_sha: e for e in parsed if isinstance(e, ChangeEvent)}
    named = [e for e in parsed if isinstance(e, DeployEvent) and e.commit_sha is not None]
    assert named and all(e.kind in ("release", "config") for e in named)
    for deploy in named:
        change = landed[deploy.commit_sha]
        assert change.service == deploy.service
        assert change.occurred_at < deploy.occurred_at
        assert change.first_commit_at is not None and change.first_commit_at <= change.occurred_at


def _at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["occurred_at"])


def test_most_serious_ticketed_incidents_get_a_postmortem_some_late_some_never() -> None:
    events = simulate(12, 90, 1, END)
    tickets = [e for e in events if e["type"] == "ticket"]
    opened = {e["ticket_id"]: e for e in tickets if e["status"] == "opened"}
    resolved = {e["ticket_id"]: _at(e) for e in tickets if e["status"] == "resolved"}
    reviews = [e for e in tickets if e["status"] == "postmortem"]
    assert len({e["ticket_id"] for e in reviews}) == len(reviews)  # one per ticket
    assert all(opened[e["ticket_id"]]["severity"] in ("critical", "high") for e in reviews)
    assert all(e["service"] == opened[e["ticket_id"]]["service"] for e in reviews)
    delays = [_at(e) - resolved[e["ticket_id"]] for e in reviews]
    assert all(delay > timedelta(0) for delay in delays)
    week = timedelta(days=7)
    assert sum(delay <= week for delay in delays) > len(delays) / 2  # most within the state
    assert sum(delay > week for delay in delays) >= 5  # the review ledger's
    assert any(delay > 3 * week for delay in delays)  # weeks later
    # of the serious tickets resolved two months before the end (any delay has passed), ~80%
    old = [t for t, e in opened.items() if e["severity"] in ("critical", "high")
           and resolved[t] < END - timedelta(days=60)]  # fmt: skip
    reviewed = {e["ticket_id"] for e in reviews}
    share = sum(t in reviewed for t in old) / len(old)
    assert 0.6 < share < 0.95, share  # some never


def test_postmortems_are_a_knob_that_leaves_the_other_events_alone() -> None:
    plain = simulate(3, 20, 7, END, Profile(review_share=0.0))
    reviewed = simulate(3, 20, 7, END)
    assert not any(e["status"] == "postmortem" for e in plain if e["type"] == "ticket")
    assert [e for e in reviewed if e.get("status") != "postmortem"] == plain
    assert all(e["event_id"].startswith("sim-7-r") for e in reviewed if e not in plain)


def test_some_failures_recur_on_their_service_some_within_30_days() -> None:
    events = simulate(12, 90, 1, END)
    alerts: dict[str, list[dict[str, Any]]] = {}  # per alert id, its events
    for event in events:
        if event["type"] == "alert":
            alerts.setdefault(event["alert_id"], []).append(event)
    failures: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
    for group in alerts.values():
        key = (group[0]["service"], group[0]["name"])
        failures.setdefault(key, []).append((_at(group[0]), _at(group[-1])))
    recurring = {key: sorted(spans) for key, spans in failures.items() if len(spans) > 1}
    assert 5 <= len(recurring) < len(failures) / 2  # a few patterns, most failures are new
    gaps = [later[0] - earlier[1] for spans in recurring.values()
            for earlier, later in zip(spans, spans[1:], strict=False)]  # fmt: skip
    assert any(gap < timedelta(days=30) for gap in gaps)
    assert any(gap > timedelta(days=30) for gap in gaps)
    assert len({name for _, name in failures}) > 50
    categories = {(group[0]["service"], group[0]["name"], group[0]["category"])
                  for group in alerts.values()}  # fmt: skip
    assert len(categories) == len(failures)  # a failure that recurs keeps its category


def test_the_engine_reviews_the_incidents_of_the_postmortems_in_state_and_from_the_ledger() -> None:
    events = simulate(4, 60, 2, END)
    plain = run(e for e in simulate(4, 60, 2, END, Profile(review_share=0.0)))
    rows = run(events)
    # postmortems open no incident, reopen none and change nothing but the review
    assert sorted(rows) == sorted(plain)
    review = ("reviewed_at", "time_to_review_seconds", "time_to_review_negative_clamped")
    for incident_id, row in rows.items():
        assert {k: v for k, v in row.items() if k not in review + VOLATILE} == {
            k: v for k, v in plain[incident_id].items() if k not in review + VOLATILE
        }, incident_id
    reviewed = [row for row in rows.values() if row["reviewed_at"] is not None]
    postmortems = sum(1 for e in events if e.get("status") == "postmortem")
    assert len(reviewed) == postmortems > 10
    assert all(row["severity"] in ("critical", "high") for row in reviewed)
    days = [row["time_to_review_seconds"] / 86_400 for row in reviewed]
    assert any(d < 7 for d in days) and any(d > 7.5 for d in days)  # in state and the ledger
