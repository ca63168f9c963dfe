"""The change event the code-host adapters share: times, title, contract check.

streams/gateway/adapters/change_event.py.
"""

from __future__ import annotations

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.change_event import change_event, first_line, latest, not_after

SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"


def test_a_first_commit_is_kept_unless_after_the_landing_compared_in_utc() -> None:
    landed = "2026-03-01T12:00:00Z"
    assert not_after("2026-03-01T11:59:59Z", landed, "p") == "2026-03-01T11:59:59Z"
    assert not_after("2026-03-01T13:00:00+01:00", landed, "p") == "2026-03-01T13:00:00+01:00"
    assert not_after("2026-03-01T12:00:00.0009Z", landed, "p") == "2026-03-01T12:00:00.0009Z"
    assert not_after("2026-03-01T12:00:00.001Z", landed, "p") == landed
    assert not_after("2026-03-01T08:00:01-04:00", landed, "p") == landed
    with pytest.raises(PayloadError, match=r"^commits\.0\.timestamp: timestamp has no UTC offset"):
        not_after("2026-03-01T11:00:00", landed, "commits.0.timestamp")


def test_latest_compares_instants_and_names_a_bad_time() -> None:
    times = [("2012-01-03T23:36:29+02:00", "a"), ("2012-01-03T22:00:00Z", "b")]
    assert latest(times) == "2012-01-03T22:00:00Z"
    assert latest([("2026-03-01T12:00:00Z", "a"), ("2026-03-01T13:00:00+01:00", "b")]) == (
        "2026-03-01T12:00:00Z"  # the same instant: the first
    )
    with pytest.raises(PayloadError, match=r"^b: must be an RFC 3339 string"):
        latest([("2026-03-01T12:00:00Z", "a"), ("yesterday", "b")])
    with pytest.raises(PayloadError):
        latest([])


def test_first_line_is_the_subject_of_a_commit_message() -> None:
    assert first_line("\n  Fix the retry  \n\nLonger body") == "Fix the retry"
    assert first_line(" \n ") is None
    assert first_line(None) is None


def test_the_change_event_is_checked_and_its_title_cut() -> None:
    fields = {
        "event_id": "e-1",
        "source": "github",
        "service": "api",
        "change_id": "12",
        "commit_sha": SHA,
        "occurred_at": "2026-03-01T12:00:00Z",
        "first_commit_at": None,
        "title": "x" * 5000,
        "paths": {"commit_sha": "pull_request.merge_commit_sha"},
    }
    event = change_event(**fields)  # type: ignore[arg-type]
    assert "first_commit_at" not in event
    assert event["title"] == "x" * 4096
    assert (event["type"], "environment" in event) == ("change", False)
    with pytest.raises(PayloadError, match=r"^pull_request\.merge_commit_sha: String should match"):
        change_event(**{**fields, "commit_sha": "HEAD"})  # type: ignore[arg-type]
