"""One ``incidents`` message through parsing, the transition rules, one channel and its table.

No Faust here: the table is any mutable mapping (the agent passes its
channel's table, e.g. ``slack-notified``, with the message as Faust's
current event). The channel shows only in ``send`` and ``payload``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from streams.notify.incident_row import parse_row
from streams.notify.transitions import SKIPPED, Notice, NoticeRules, notices

log = logging.getLogger(__name__)
Send = Callable[[dict[str, Any], str], Awaitable[bool]]
Payload = Callable[[Notice, str | None], dict[str, Any]]
"""Build a channel's JSON body from a notice and the link template (pure)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class NotifyStep:
    """Turns incident row versions into at most one notice each, posted at most once.

    Counts ``sent`` (the channel took it), ``rejected`` (it refused it for good),
    ``skipped`` (too old to post) and ``invalid`` (not an incident row).
    """

    def __init__(
        self,
        send: Send,
        rules: NoticeRules,
        link_template: str | None,
        *,
        payload: Payload,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._send = send
        self._payload = payload
        self._rules = rules
        self._link = link_template
        self._now = now
        self.sent = 0
        self.rejected = 0
        self.skipped = 0
        self.invalid = 0

    async def handle(
        self, value: bytes | None, origin: str, table: MutableMapping[str, Any]
    ) -> None:
        """Process one message; ``origin`` is ``topic[partition]@offset`` for logs.

        The notice is posted (with retries, see ``NoticeSender.send``) before
        the incident's new state is written, so a crash in between can repeat
        a notice but never lose one. A message that is not an incident row is
        logged and skipped.
        """
        row = parse_row(value)
        if isinstance(row, str):
            self.invalid += 1
            log.warning("skipping %s on the incidents topic: %s", origin, row)
            return
        state = table.get(row.incident_id)
        new_state, due = notices(state, row, now=self._now(), rules=self._rules)
        for notice in due:
            what = f"the {notice.kind} notice of incident {row.incident_id} v{row.version}"
            if await self._send(self._payload(notice, self._link), what):
                self.sent += 1
                log.info("posted %s (%s/%s)", what, row.service, row.environment)
            else:
                self.rejected += 1
        before = state["done"] if state is not None else {}
        if any(m == SKIPPED and k not in before for k, m in new_state["done"].items()):
            self.skipped += 1
            log.debug("not posting old changes of incident %s v%d", row.incident_id, row.version)
        if new_state != state:
            table[row.incident_id] = new_state
