"""Parse an ``incidents`` topic message into the fields a notice needs (at the edge)."""

from __future__ import annotations

from typing import Literal

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from schemas.events import Severity


class IncidentRow(BaseModel):
    """One incident version as published to the ``incidents`` topic (docs/incident-model.md).

    Only the fields notices use are declared; the rest of the row is ignored.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    incident_id: str
    service: str
    environment: str
    status: Literal["open", "resolved"]
    severity: Severity
    category: str | None = None
    title: str = ""
    started_at: AwareDatetime
    detected_at: AwareDatetime
    acknowledged_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    tta_seconds: float | None = None
    ttr_seconds: float | None = None
    alert_ids: list[str] = []
    ticket_ids: list[str] = []
    cause_deploy_id: str | None = None
    fix_deploy_id: str | None = None
    repair_action: str | None = None
    reopen_count: int = 0
    is_deleted: int = 0
    version: int


def parse_row(raw: bytes | None) -> IncidentRow | str:
    """Return the parsed row, or the reason it is not one (never raises on bad input)."""
    if raw is None:
        return "empty message"
    try:
        return IncidentRow.model_validate(orjson.loads(raw))
    except orjson.JSONDecodeError as exc:
        return f"not valid JSON: {exc}"
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "row"
        return f"not an incident row: {where}: {first['msg']} ({exc.error_count()} errors)"
