"""Lead time for changes, the edge cases of docs/metrics.md: a change landed before the
first recorded deploy, a deploy naming an unknown commit, commits compared lowercased and
in full, several events of one change, a redelivered and a late event, a change landed in
one month and deployed in the next, deploys at the same instant and changes sharing a
commit, and a replay of every event.

Each case is a service of its own in tests/support/lead_time_cases.py (real contract
JSON through the worker's ``decode`` and ``event_to_row``); every expected value below is
computed by hand from the docs. Runs on both engines (embedded chDB, a ClickHouse server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.clickhouse_engines import ENGINES
from tests.support.lead_time_cases import VIEWS, Reads, keyed, read_cases, stamped

pytestmark = pytest.mark.integration

CASES = ("early", "orphan", "shas", "other", "dups", "late", "monthly", "ties")
KEY = ("service", "environment", "change_id")
LEAD_COLUMNS = (
    "commit_sha", "first_commit_at", "landed_at", "deployed_at", "deploy_id",
    "lead_time_seconds", "time_to_land_seconds", "landed_before_first_deploy",
)  # fmt: skip
DORA_COLUMNS = (
    "deployments", "deploys_per_day", "failed_deployments", "change_failure_rate",
    "median_time_to_restore_seconds", "changes_deployed", "lead_time_p50_seconds",
    "lead_time_p90_seconds", "failed_deployment_recovery_p50_seconds",
)  # fmt: skip


@pytest.fixture(scope="module", params=ENGINES)
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every view after the first delivery and after the replay, on one engine."""
    directory: Path = tmp_path_factory.mktemp(f"lead-time-cases-{request.param}")
    return read_cases(request.param, directory)


@pytest.fixture
def reads(both: tuple[Reads, Reads]) -> Reads:
    return both[0]


def of(service: str, rows: dict[tuple[str, ...], Any]) -> dict[tuple[str, ...], Any]:
    return {key: row for key, row in rows.items() if service in key[:2]}


def lead_times(reads: Reads, service: str) -> dict[tuple[str, ...], Any]:
    return of(service, keyed(reads["change_lead_times"], KEY, LEAD_COLUMNS))


def pending(reads: Reads, service: str) -> dict[tuple[str, ...], Any]:
    columns = ("commit_sha", "first_commit_at", "landed_at")
    return of(service, keyed(reads["pending_changes"], KEY, columns))


def dora(reads: Reads, service: str) -> dict[tuple[str, ...], Any]:
    rows = of(
        service, keyed(reads["dora_monthly"], ("month", "service", "environment"), DORA_COLUMNS)
    )
    return {
        k: tuple(round(v, 9) if isinstance(v, float) else v for v in r) for k, r in rows.items()
    }


def test_landed_before_the_first_recorded_deploy_is_flagged_and_still_attributed(
    reads: Reads,
) -> None:
    """E1 (09:00, no commit: reach 09:00) is the first deploy. e1 landed 08:00, before it:
    flag 1, lead 09:00 - 07:00. e2 landed at 09:00 exactly: reach 09:00 >= 09:00 ships it,
    not "before" (flag 0). e3 (09:30): R1 (remediation) and RB (rollback) name its commit
    but ship nothing; E2 (hotfix, 10:00) does: 10:00 - 09:15 = 2700 s. dora: E1, RB, E2 are
    3 deployments (R1 is none); lead times 1800, 2700, 7200: p90 = 2700 + 0.8 x 4500.
    """
    assert lead_times(reads, "early") == stamped({
        ("early", "production", "e1"): ("e1e1e1", "2026-11-05T07:00", "2026-11-05T08:00",
                                        "2026-11-05T09:00", "E1", 7200.0, 3600.0, 1),
        ("early", "production", "e2"): ("e2e2e2", "2026-11-05T08:30", "2026-11-05T09:00",
                                        "2026-11-05T09:00", "E1", 1800.0, 1800.0, 0),
        ("early", "production", "e3"): ("e3e3e3", "2026-11-05T09:15", "2026-11-05T09:30",
                                        "2026-11-05T10:00", "E2", 2700.0, 900.0, 0),
    })  # fmt: skip
    assert pending(reads, "early") == {}
    assert dora(reads, "early") == {
        ("2026-11-01", "early", "production"): (3, 0.1, 0, 0.0, None, 3, 2700.0, 6300.0, None)
    }


def test_a_deploy_naming_an_unknown_commit_reaches_its_own_time(reads: Reads) -> None:
    """O1 (12:00) names 0123abcd, which no change has: reach 12:00. o1 (landed 11:00) is
    shipped (12:00 - 10:00 = 7200 s); o3 landed 12:00:00.001, 1 ms after the reach: pending.
    O1's second success (12:05) names o3's commit, but the earliest one naming a commit
    counts: still 0123abcd, deployed 12:00, one deployment.
    """
    assert lead_times(reads, "orphan") == stamped({
        ("orphan", "production", "o1"): ("0a0a0a", "2026-11-06T10:00", "2026-11-06T11:00",
                                         "2026-11-06T12:00", "O1", 7200.0, 3600.0, 1),
    })  # fmt: skip
    assert pending(reads, "orphan") == stamped({
        ("orphan", "production", "o3"): ("0b0b0b", "2026-11-06T12:00:00.001",
                                         "2026-11-06T12:00:00.001"),
    })  # fmt: skip
    key, columns = ("service", "environment", "deploy_id"), ("deployed_at", "commit_sha", "reach")
    assert of("orphan", keyed(reads["shipping_deploys"], key, columns)) == stamped(
        {("orphan", "production", "O1"): ("2026-11-06T12:00", "0123abcd", "2026-11-06T12:00")}
    )
    assert dora(reads, "orphan") == {
        ("2026-11-01", "orphan", "production"): (1, round(1 / 30, 9), 0, 0.0, None, 1, 7200.0,
                                                 7200.0, None),
    }  # fmt: skip


def test_commits_compare_lowercased_in_full_and_within_the_service(reads: Reads) -> None:
    """P1 names ABC123 = change pr-1's abc123 (reach 10:00): ships pr-1 only; P2 names
    def456, which push-def456 sent as DEF456 (reach 11:00). T0 (10:30) names 0DDBA11, the
    commit of a change of service ``other``: no change of ``shas`` has it, reach 10:30 ships
    pr-1. T1 (12:00) names abc1, a prefix of abc123: no match, reach 12:00 ships
    push-def456 (had abc1 matched, T1 would reach 10:00 and ship nothing). ``other`` has no
    deploy: its change is pending in environment ''.
    """
    assert lead_times(reads, "shas") == stamped({
        ("shas", "production", "pr-1"): ("abc123", "2026-11-07T09:00", "2026-11-07T10:00",
                                         "2026-11-07T12:00", "P1", 10800.0, 3600.0, 1),
        ("shas", "production", "push-def456"): ("def456", "2026-11-07T10:30",
                                                "2026-11-07T11:00", "2026-11-07T13:00", "P2",
                                                9000.0, 1800.0, 1),
        ("shas", "staging", "pr-1"): ("abc123", "2026-11-07T09:00", "2026-11-07T10:00",
                                      "2026-11-07T10:30", "T0", 5400.0, 3600.0, 1),
        ("shas", "staging", "push-def456"): ("def456", "2026-11-07T10:30", "2026-11-07T11:00",
                                             "2026-11-07T12:00", "T1", 5400.0, 1800.0, 0),
    })  # fmt: skip
    assert pending(reads, "shas") == {}
    assert pending(reads, "other") == stamped(
        {("other", "", "pr-9"): ("0ddba11", "2026-11-07T08:00", "2026-11-07T08:00")}
    )
    assert lead_times(reads, "other") == {}
    assert dora(reads, "shas") == {  # 9000, 10800: p90 = 9000 + 0.9 x 1800
        ("2026-11-01", "shas", "production"): (2, round(2 / 30, 9), 0, 0.0, None, 2, 9900.0,
                                               10620.0, None),
        ("2026-11-01", "shas", "staging"): (2, round(2 / 30, 9), 0, 0.0, None, 2, 5400.0,
                                            5400.0, None),
    }  # fmt: skip


def test_several_events_of_one_change_and_a_redelivered_event(reads: Reads) -> None:
    """d1: events at 10:20 (ev-dups-1a) and 10:00 (ev-dups-1b): the earliest defines it,
    though its event_id is larger. d2: two events at 10:30: ev-dups-2a, the smaller id,
    defines it. d3 was delivered twice (same event_id): one change. X1 succeeded at 11:00
    (no commit) and 11:05 naming d1d1aa: deployed 11:00, reach 10:00 (d1). X2's started
    event names d1d1aa (not counted); its success names D1D1BB, the commit of d1's
    non-defining event, so of no change: reach 12:00. dora: X1 and X2 both named as cause
    (X2's incident is open): failed 2; ttr 1800 and 600: median 1200; recovery of X1's
    incident: 11:40 - 11:00 (X1's earliest success) = 2400.
    """
    columns = ("commit_sha", "first_commit_at", "landed_at", "event_id")
    changes = of("dups", keyed(reads["changes"], ("service", "change_id"), columns))
    assert changes == stamped({
        ("dups", "d1"): ("d1d1aa", "2026-11-09T09:00", "2026-11-09T10:00", "ev-dups-1b"),
        ("dups", "d2"): ("d2d2aa", "2026-11-09T10:00", "2026-11-09T10:30", "ev-dups-2a"),
        ("dups", "d3"): ("d3d3d3", "2026-11-09T10:35", "2026-11-09T10:40", "ev-dups-3"),
    })  # fmt: skip
    assert lead_times(reads, "dups") == stamped({
        ("dups", "production", "d1"): ("d1d1aa", "2026-11-09T09:00", "2026-11-09T10:00",
                                       "2026-11-09T11:00", "X1", 7200.0, 3600.0, 1),
        ("dups", "production", "d2"): ("d2d2aa", "2026-11-09T10:00", "2026-11-09T10:30",
                                       "2026-11-09T12:00", "X2", 7200.0, 1800.0, 1),
        ("dups", "production", "d3"): ("d3d3d3", "2026-11-09T10:35", "2026-11-09T10:40",
                                       "2026-11-09T12:00", "X2", 5100.0, 300.0, 1),
    })  # fmt: skip
    assert dora(reads, "dups") == {
        ("2026-11-01", "dups", "production"): (2, round(2 / 30, 9), 2, 1.0, 1200.0, 3, 7200.0,
                                               7200.0, 2400.0),
    }  # fmt: skip


def test_a_late_change_counts_as_if_it_came_on_time(reads: Reads) -> None:
    """old1 (landed 11-01 09:00, first commit 10-30 09:00) is inserted after everything else.
    L1 (11-10 10:00, no commit) ships it: 11 d 1 h = 954000 s. L2 (11-12) names old1's
    commit, so it reaches 11-01 09:00 only and ships nothing; n1 (landed 11-11 09:00) waits
    for L3 (11-13 10:00): 2 d 2 h = 180000 s. dora: p50 567000, p90 180000 + 0.9 x 774000.
    """
    assert lead_times(reads, "late") == stamped({
        ("late", "production", "old1"): ("01d0c0", "2026-10-30T09:00", "2026-11-01T09:00",
                                         "2026-11-10T10:00", "L1", 954000.0, 172800.0, 1),
        ("late", "production", "n1"): ("0e0e0e", "2026-11-11T08:00", "2026-11-11T09:00",
                                       "2026-11-13T10:00", "L3", 180000.0, 3600.0, 0),
    })  # fmt: skip
    assert dora(reads, "late") == {
        ("2026-11-01", "late", "production"): (3, 0.1, 0, 0.0, None, 2, 567000.0, 876600.0,
                                               None),
    }  # fmt: skip


def test_a_change_counts_in_the_month_it_was_deployed(reads: Reads) -> None:
    """m1 landed 10-31 23:00, after M0 (10-31 22:30, reach 22:30), and was deployed by M1 on
    11-01 00:30: 9000 s, in November. October has M0, so a row, with no change deployed.
    """
    assert lead_times(reads, "monthly") == stamped({
        ("monthly", "production", "m1"): ("a0a0a0", "2026-10-31T22:00", "2026-10-31T23:00",
                                          "2026-11-01T00:30", "M1", 9000.0, 3600.0, 0),
    })  # fmt: skip
    assert dora(reads, "monthly") == {
        ("2026-10-01", "monthly", "production"): (1, round(1 / 31, 9), 0, 0.0, None, 0, None,
                                                  None, None),
        ("2026-11-01", "monthly", "production"): (1, round(1 / 30, 9), 0, 0.0, None, 1, 9000.0,
                                                  9000.0, None),
    }  # fmt: skip


def test_deploy_time_ties_and_changes_sharing_a_commit(reads: Reads) -> None:
    """Production: TA and TB succeeded at 10:00; TA (the smaller id) comes first. TA names
    t1's commit (reach 08:00): ships t1 (10:00 - 07:00); TB (no commit, reach 10:00) ships
    t2 and push-7a7a02 (landed 09:30 without first commit: 1800 s, time to land 0).
    Staging: t2 and push-7a7a02 both carry 7a7a02: G1 and G2 name it and reach 09:00, the
    earliest landing. G1 (11:00) ships t1 and t2; push-7a7a02 (09:30) waits for G3 (13:00,
    no commit): 12600 s. G2 reaches no further than G1 and ships nothing.
    dora: production 1800, 5400, 10800: p50 5400, p90 5400 + 0.8 x 5400 = 9720; staging
    9000, 12600, 14400: p50 12600, p90 12600 + 0.8 x 1800 = 14040.
    """
    assert lead_times(reads, "ties") == stamped({
        ("ties", "production", "t1"): ("7a7a01", "2026-11-14T07:00", "2026-11-14T08:00",
                                       "2026-11-14T10:00", "TA", 10800.0, 3600.0, 1),
        ("ties", "production", "t2"): ("7a7a02", "2026-11-14T08:30", "2026-11-14T09:00",
                                       "2026-11-14T10:00", "TB", 5400.0, 1800.0, 1),
        ("ties", "production", "push-7a7a02"): ("7a7a02", "2026-11-14T09:30",
                                                "2026-11-14T09:30", "2026-11-14T10:00", "TB",
                                                1800.0, 0.0, 1),
        ("ties", "staging", "t1"): ("7a7a01", "2026-11-14T07:00", "2026-11-14T08:00",
                                    "2026-11-14T11:00", "G1", 14400.0, 3600.0, 1),
        ("ties", "staging", "t2"): ("7a7a02", "2026-11-14T08:30", "2026-11-14T09:00",
                                    "2026-11-14T11:00", "G1", 9000.0, 1800.0, 1),
        ("ties", "staging", "push-7a7a02"): ("7a7a02", "2026-11-14T09:30", "2026-11-14T09:30",
                                             "2026-11-14T13:00", "G3", 12600.0, 0.0, 1),
    })  # fmt: skip
    assert pending(reads, "ties") == {}
    assert dora(reads, "ties") == {
        ("2026-11-01", "ties", "production"): (2, round(2 / 30, 9), 0, 0.0, None, 3, 5400.0,
                                               9720.0, None),
        ("2026-11-01", "ties", "staging"): (3, 0.1, 0, 0.0, None, 3, 12600.0, 14040.0, None),
    }  # fmt: skip


def test_no_rows_of_other_services(reads: Reads) -> None:
    """Each case above is exact for its service; the worked example (``api``) is checked in
    test_views_lead_time.py: nothing else appears in any view."""
    for view, rows in reads.items():
        assert {row["service"] for row in rows} <= {"api", *CASES}, view


def test_a_replay_of_every_event_gives_identical_rows(both: tuple[Reads, Reads]) -> None:
    """Every event inserted again, a day later, at new Kafka offsets: every view unchanged."""
    first, replayed = both
    for view in VIEWS:
        assert first[view], view
        assert sorted(map(repr, replayed[view])) == sorted(map(repr, first[view])), view
