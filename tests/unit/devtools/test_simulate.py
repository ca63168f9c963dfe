from collections import Counter
from datetime import UTC, datetime

from schemas.events import EVENT_ADAPTER, SEVERITIES, ChangeEvent, DeployEvent
from streams.devtools.simulate import Profile, service_names, simulate

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
