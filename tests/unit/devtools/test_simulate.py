from collections import Counter
from datetime import UTC, datetime

from schemas.events import EVENT_ADAPTER, SEVERITIES
from streams.devtools.simulate import service_names, simulate

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
