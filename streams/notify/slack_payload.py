"""The Slack message of a notice: fallback ``text`` plus Block Kit ``blocks`` (pure).

Everything taken from events (service, title, ids) is escaped for Slack's
mrkdwn (``&``, ``<``, ``>``), so a ticket title cannot ping a channel or
inject a link. Times are shown in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from streams.notify.incident_row import IncidentRow
from streams.notify.transitions import Notice
from streams.present.durations import human

HEADLINES = {
    "opened": (":rotating_light:", "Incident opened"),
    "acknowledged": (":eyes:", "Incident acknowledged"),
    "resolved": (":white_check_mark:", "Incident resolved"),
    "reopened": (":repeat:", "Incident reopened"),
}
MAX_TITLE = 300  # Slack allows 3000 characters per section text


def escape(text: str) -> str:
    """Return ``text`` safe inside Slack mrkdwn (no mentions, links or markup tags)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def utc_text(value: datetime) -> str:
    """Return ``value`` as ``2026-03-02 10:07:00 UTC`` (fractions of a second dropped)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def incident_link(template: str | None, row: IncidentRow) -> str | None:
    """Return the template with the incident's id, service and environment (URL-encoded)."""
    if template is None:
        return None
    return template.format(
        incident_id=quote(row.incident_id, safe=""),
        service=quote(row.service, safe=""),
        environment=quote(row.environment, safe=""),
    )


def _title(row: IncidentRow) -> str:
    title = row.title or "(no title)"
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}


def _fields(row: IncidentRow) -> list[dict[str, str]]:
    fields = [
        _field("Severity", escape(row.severity)),
        _field("Environment", escape(row.environment)),
        _field("Started", utc_text(row.started_at)),
    ]
    if row.acknowledged_at is not None:
        fields.append(_field("Acknowledged", utc_text(row.acknowledged_at)))
    if row.resolved_at is not None and row.status == "resolved":
        fields.append(_field("Resolved", utc_text(row.resolved_at)))
        fields.append(_field("Time to repair", human(row.ttr_seconds)))
    if row.ticket_ids:
        fields.append(_field("Tickets", escape(", ".join(row.ticket_ids))))
    deploys = []
    if row.cause_deploy_id:
        deploys.append(f"suspected cause {row.cause_deploy_id}")
    if row.fix_deploy_id:
        deploys.append(f"fix {row.fix_deploy_id} ({row.repair_action or 'release'})")
    if deploys:
        fields.append(_field("Deploys", escape(", ".join(deploys))))
    if row.reopen_count:
        fields.append(_field("Reopened", f"{row.reopen_count}×"))
    return fields  # at most 9; Slack allows 10 per section


def slack_payload(notice: Notice, link_template: str | None) -> dict[str, Any]:
    """Return the JSON body to post to the incoming webhook for ``notice``."""
    row = notice.incident
    emoji, headline = HEADLINES[notice.kind]
    where = f"{row.service} ({row.environment})"
    after = f" after {human(row.ttr_seconds)}" if notice.kind == "resolved" else ""
    text = f"{headline}{after}: {where}, {row.severity}: {_title(row)}"
    context = f"Incident `{escape(row.incident_id)}` · version {row.version}"
    link = incident_link(link_template, row)
    if link is not None:
        context += f" · <{escape(link)}|Details>"
    return {
        "text": escape(text),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{emoji} *{headline}*{after}: *{escape(where)}*\n"
                    f"{escape(_title(row))}",
                },
            },
            {"type": "section", "fields": _fields(row)},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }
