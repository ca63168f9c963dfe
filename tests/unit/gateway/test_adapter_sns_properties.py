"""Properties of the SNS adapter: any signed text verifies, any change to it does not; ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.gateway.adapters.base import SignatureError
from tests.support import sns_messages as sns

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=40, deadline=None)
@given(message=TEXT, subject=st.none() | TEXT, version=st.sampled_from(["1", "2"]), data=st.data())
def test_signed_text_verifies_and_any_change_fails(
    message: str, subject: str | None, version: str, data: st.DataObject
) -> None:
    fields = {**sns.notification(message), "Subject": subject}
    signed = sns.sign({k: v for k, v in fields.items() if v is not None}, version=version)
    adapter = sns.adapter()
    assert adapter.verified(sns.body(signed), {})["Message"] == message
    field = data.draw(st.sampled_from(["Message", "MessageId", "Timestamp", "TopicArn"]))
    changed = data.draw(TEXT.filter(lambda text: text != signed[field]))
    with pytest.raises(SignatureError):
        adapter.verified(sns.body({**signed, field: changed}), {})


@settings(max_examples=40, deadline=None)
@given(
    state=st.sampled_from(["ALARM", "OK"]),
    offset_ms=st.integers(0, 10 * 365 * 86_400_000),
    message_id=st.uuids(),
)
def test_event_id_depends_on_the_state_change_only(
    state: str, offset_ms: int, message_id: object
) -> None:
    at = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(milliseconds=offset_ms)
    changed = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"
    text = sns.alarm("derived_checkout_alarm.json", NewStateValue=state, StateChangeTime=changed)
    adapter = sns.adapter()
    first = adapter.convert(sns.body(sns.notification(text)), {}).events[0]
    other = adapter.convert(sns.body(sns.notification(text, str(message_id))), {}).events[0]
    assert first == other
    assert datetime.fromisoformat(first["occurred_at"]) == at
