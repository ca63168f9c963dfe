"""The Microsoft Teams message of a notice: one Adaptive Card for a Workflows webhook (pure).

The body is what a Workflows webhook ("When a Teams webhook request is
received", e.g. the template "Post to a channel when a webhook request is
received") hands to its "Post card in a chat or channel" action: a
``message`` with one ``application/vnd.microsoft.card.adaptive`` attachment.
Workflows take Adaptive Cards only; the retired Office 365 connectors'
MessageCard is not used.

The texts come from ``notice_text``. Adaptive Cards render Markdown in
``TextBlock`` and ``FactSet`` texts, so everything taken from events (service,
environment, title, ids) goes into ``TextRun``s, which are plain text: a
ticket title cannot inject a link or formatting. Labels are ours. Times are
shown in UTC. Card version 1.4 (``RichTextBlock`` needs 1.2).
"""

from __future__ import annotations

from typing import Any

from streams.notify.incident_row import IncidentRow
from streams.notify.notice_text import (
    HEADLINES,
    after,
    facts,
    incident_link,
    reference,
    summary,
    title,
    where,
)
from streams.notify.transitions import Notice

CARD_VERSION = "1.4"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
STYLE = {  # emoji and Adaptive Card colour of each headline
    "opened": ("🚨", "Attention"),
    "acknowledged": ("👀", "Warning"),
    "resolved": ("✅", "Good"),
    "reopened": ("🔁", "Attention"),
}
LABEL_WIDTH = "120px"


def run(text: str, **style: Any) -> dict[str, Any]:
    """Return a plain-text ``TextRun`` (no Markdown) with Adaptive Card styles."""
    return {"type": "TextRun", "text": text, **style}


def _plain(*inlines: dict[str, Any], **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(inlines), **style}


def _fact(label: str, value: str) -> dict[str, Any]:
    """One label/value row: a FactSet would parse the value as Markdown."""
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {
                "type": "Column",
                "width": LABEL_WIDTH,
                "items": [{"type": "TextBlock", "text": label, "weight": "Bolder", "wrap": True}],
            },
            {"type": "Column", "width": "stretch", "items": [_plain(run(value))]},
        ],
    }


def _headline(notice: Notice, row: IncidentRow) -> dict[str, Any]:
    emoji, color = STYLE[notice.kind]
    return _plain(
        run(f"{emoji} {HEADLINES[notice.kind]}", weight="Bolder", size="Medium", color=color),
        run(f"{after(notice)}: ", size="Medium"),
        run(where(row), weight="Bolder", size="Medium"),
    )


def teams_card(notice: Notice, link_template: str | None) -> dict[str, Any]:
    """Return the Adaptive Card (the attachment's ``content``) for ``notice``."""
    row = notice.incident
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": summary(notice),
        "msteams": {"width": "Full"},
        "body": [
            _headline(notice, row),
            _plain(run(title(row)), spacing="Small"),
            *(_fact(label, value) for label, value in facts(row)),
            _plain(run(reference(row), isSubtle=True, size="Small"), spacing="Medium"),
        ],
    }
    link = incident_link(link_template, row)
    if link is not None:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Details", "url": link}]
    return card


def teams_payload(notice: Notice, link_template: str | None) -> dict[str, Any]:
    """Return the JSON body to post to the Workflows webhook for ``notice``."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": CONTENT_TYPE,
                "contentUrl": None,
                "content": teams_card(notice, link_template),
            }
        ],
    }
