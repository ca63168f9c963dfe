"""``mttr report --section``: the query's section travels to the worker and back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from streams.storage.availability import AVAILABILITY_COLUMNS
from streams.storage.learning import RECURRING_COLUMNS, REVIEW_COLUMNS
from streams.storage.report import SECTIONS, ReportQuery
from streams.storage.sections import ANSWER_KEYS, FILTERS, section_columns


def test_the_section_survives_the_worker_pages_parameters() -> None:
    query = ReportQuery(timedelta(days=30), "shop", team="payments", section="availability")
    params = query.as_params()
    assert params == {"service": "shop", "team": "payments", "section": "availability",
                      "since": "720h"}  # fmt: skip
    assert ReportQuery.from_params(params) == query
    assert "section" not in ReportQuery().as_params()  # an older worker reads it as before
    assert ReportQuery.from_params({}).section == "mttr"


def test_an_unknown_section_is_refused() -> None:
    expected = "section must be one of mttr, availability, reviews, recurring"
    with pytest.raises(ValueError, match=expected):
        ReportQuery.from_params({"section": "nope"})


def test_every_section_has_its_answer_key_filters_and_columns() -> None:
    assert set(ANSWER_KEYS) == set(FILTERS) == set(SECTIONS)
    assert section_columns(ReportQuery(section="availability")) == AVAILABILITY_COLUMNS
    assert section_columns(ReportQuery(section="reviews")) == REVIEW_COLUMNS
    assert section_columns(ReportQuery(section="recurring")) == RECURRING_COLUMNS
    assert section_columns(ReportQuery(by="week"))[0] == "week"
