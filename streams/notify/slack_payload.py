"""The Slack message of a notice: fallback ``text`` plus Block Kit ``blocks`` (pure).

The texts come from ``notice_text``. Everything taken from events (service,
title, ids) is escaped for Slack's mrkdwn (``&``, ``<``, ``>``), so a ticket
title cannot ping a channel or inject a link. Times are shown in UTC.
"""

from __future__ import annotations

from typing import Any

from streams.notify.notice_text import (
    HEADLINES,
    after,
    facts,
    incident_link,
    summary,
    title,
    utc_text,
    where,
)
from streams.notify.transitions import Notice

__all__ = ["EMOJI", "escape", "incident_link", "slack_payload", "utc_text"]

EMOJI = {
    "opened": ":rotating_light:",
    "acknowledged": ":eyes:",
    "resolved": ":white_check_mark:",
    "reopened": ":repeat:",
}


def escape(text: str) -> str:
    """Return ``text`` safe inside Slack mrkdwn (no mentions, links or markup tags)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{escape(value)}"}


def slack_payload(notice: Notice, link_template: str | None) -> dict[str, Any]:
    """Return the JSON body to post to the incoming webhook for ``notice``."""
    row = notice.incident
    headline = HEADLINES[notice.kind]
    context = f"Incident `{escape(row.incident_id)}` · version {row.version}"
    link = incident_link(link_template, row)
    if link is not None:
        context += f" · <{escape(link)}|Details>"
    return {
        "text": escape(summary(notice)),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{EMOJI[notice.kind]} *{headline}*{after(notice)}: "
                    f"*{escape(where(row))}*\n{escape(title(row))}",
                },
            },
            # at most 9 fields; Slack allows 10 per section
            {"type": "section", "fields": [_field(k, v) for k, v in facts(row)]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }
