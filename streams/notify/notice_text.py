"""What every notice says, as plain text: headline, title, facts, link (pure).

The channel payload builders (``slack_payload``, ``teams_card``) take these
texts and only format and escape them, so Slack and Teams show the same
facts. Times are shown in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from streams.notify.incident_row import IncidentRow
from streams.notify.transitions import Kind, Notice
from streams.present.durations import human

HEADLINES: dict[Kind, str] = {
    "opened": "Incident opened",
    "acknowledged": "Incident acknowledged",
    "resolved": "Incident resolved",
    "reopened": "Incident reopened",
}
MAX_TITLE = 300  # Slack allows 3000 characters per section text, Teams about 28 KB a card


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


def title(row: IncidentRow) -> str:
    """Return the incident's title, ``(no title)`` when empty, cut at ``MAX_TITLE``."""
    text = row.title or "(no title)"
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def where(row: IncidentRow) -> str:
    """Return ``service (environment)``."""
    return f"{row.service} ({row.environment})"


def after(notice: Notice) -> str:
    """Return `` after 17m 40s`` for a resolution, else ``""``."""
    return f" after {human(notice.incident.ttr_seconds)}" if notice.kind == "resolved" else ""


def summary(notice: Notice) -> str:
    """Return the one-line text of a notice (for previews and fallbacks), unescaped."""
    row = notice.incident
    return f"{HEADLINES[notice.kind]}{after(notice)}: {where(row)}, {row.severity}: {title(row)}"


def facts(row: IncidentRow) -> list[tuple[str, str]]:
    """Return the (label, value) facts of a notice, in display order (at most 9)."""
    shown = [
        ("Severity", row.severity),
        ("Environment", row.environment),
        ("Started", utc_text(row.started_at)),
    ]
    if row.acknowledged_at is not None:
        shown.append(("Acknowledged", utc_text(row.acknowledged_at)))
    if row.resolved_at is not None and row.status == "resolved":
        shown.append(("Resolved", utc_text(row.resolved_at)))
        shown.append(("Time to repair", human(row.ttr_seconds)))
    if row.ticket_ids:
        shown.append(("Tickets", ", ".join(row.ticket_ids)))
    deploys = []
    if row.cause_deploy_id:
        deploys.append(f"suspected cause {row.cause_deploy_id}")
    if row.fix_deploy_id:
        deploys.append(f"fix {row.fix_deploy_id} ({row.repair_action or 'release'})")
    if deploys:
        shown.append(("Deploys", ", ".join(deploys)))
    if row.reopen_count:
        shown.append(("Reopened", f"{row.reopen_count}×"))
    return shown


def reference(row: IncidentRow) -> str:
    """Return ``incident <id> · version <n>`` without markup."""
    return f"Incident {row.incident_id} · version {row.version}"
