"""The scripted history (``scripted_history``) as CDEvents v0.4, and what CDEvents cannot carry.

``to_cdevent(event)`` turns one native event into the CDEvent a CDEvents
producer would send for it (``None`` where v0.4 has no type for it);
``carried(event)`` is the native event cut to what that CDEvent carries.
``HISTORY`` is the scripted history followed by its day-later close. The
equivalence test feeds ``carried`` natives and converted CDEvents to the
engine and compares the incidents; docs/sources/cdevents.md lists the cuts:

* an alert's ``starts_at``: an incident CDEvent has one time only;
* deploys that are ``failed`` or of kind ``hotfix``/``config``: v0.4 has
  ``service.deployed/upgraded/rolledback`` only, all of them successful;
* the ticket's ``environment`` (ticket CDEvents name none; the history's
  tickets are all in ``production``, ``ticket_environment``'s default).
"""

from __future__ import annotations

from typing import Any

from tests.support.scripted_history import DAY_LATER
from tests.support.scripted_history import HISTORY as NATIVE

HISTORY = [*NATIVE, DAY_LATER]
MONITOR = "/monitoring/prometheus"
DEPLOYER = "/deploy/argocd"
TICKETS = "/tickets/servicedesk"
SPEC = "0.4.1"
DEPLOY_TYPES = {"release": "service.deployed.0.2.0", "rollback": "service.rolledback.0.2.0"}


def carried(event: dict[str, Any]) -> dict[str, Any] | None:
    """Return ``event`` with only what its CDEvent carries; None if no CDEvent carries it."""
    if event["type"] == "deploy" and (
        event["status"] != "succeeded" or event.get("kind", "release") not in DEPLOY_TYPES
    ):
        return None
    if event["type"] == "ticket" and event.get("environment", "production") != "production":
        return None
    return {name: value for name, value in event.items() if name != "starts_at"}


def to_cdevent(event: dict[str, Any]) -> dict[str, Any] | None:
    """Return the CDEvent a producer sends for a native event; None where v0.4 has no type."""
    if carried(event) is None:
        return None
    if event["type"] == "alert":
        return _incident(event)
    if event["type"] == "deploy":
        return _service(event)
    return _ticket(event)


def _context(event: dict[str, Any], source: str, kind: str) -> dict[str, Any]:
    return {
        "version": SPEC,
        "id": event["event_id"],
        "source": source,
        "type": f"dev.cdevents.{kind}",
        "timestamp": event["occurred_at"],
    }


def _incident(event: dict[str, Any]) -> dict[str, Any]:
    predicate = "detected" if event["status"] == "firing" else "resolved"
    return {
        "context": _context(event, MONITOR, f"incident.{predicate}.0.2.0"),
        "subject": {
            "id": event["alert_id"],
            "source": MONITOR,
            "type": "incident",
            "content": {
                "description": event["name"],
                "environment": {"id": event.get("environment", "production")},
                "service": {"id": event["service"]},
            },
        },
        "customData": {"severity": event["severity"]},
        "customDataContentType": "application/json",
    }


def _service(event: dict[str, Any]) -> dict[str, Any]:
    deploy_id = event["deploy_id"]
    context = _context(event, DEPLOYER, DEPLOY_TYPES[event.get("kind", "release")])
    context["id"] = deploy_id  # one CDEvent per deployment: its id is the deploy's
    return {
        "context": context,
        "subject": {
            "id": event["service"],
            "source": DEPLOYER,
            "type": "service",
            "content": {
                "environment": {"id": event.get("environment", "production")},
                "artifactId": f"pkg:generic/{event['service']}@{deploy_id}",
            },
        },
    }


def _ticket(event: dict[str, Any]) -> dict[str, Any]:
    status = event["status"]
    content: dict[str, Any] = {
        "ticketType": "incident",
        "labels": [f"service:{event['service']}"],
        "uri": f"https://servicedesk.example/browse/{event['ticket_id']}",
    }
    if "title" in event or status == "opened":
        content["summary"] = event.get("title", "")  # required by ticket.created
    if "severity" in event:
        content["priority"] = event["severity"]
    extra: dict[str, Any] = {}
    if status == "opened":
        predicate = "created"
        content["creator"] = "oncall"
    elif status == "closed":
        predicate = "closed"
        content["resolution"] = "completed"
    else:
        predicate = "updated"
        extra = {"customData": {"status": status}, "customDataContentType": "application/json"}
    return {
        "context": _context(event, TICKETS, f"ticket.{predicate}.0.1.0"),
        "subject": {"id": event["ticket_id"], "source": TICKETS, "type": "ticket",
                    "content": content},
        **extra,
    }  # fmt: skip
