"""A deterministic, realistic history of alert, deploy, ticket and change events (pure).

Per service: Poisson incident arrivals, a severity mix, lognormal repair times
by severity, alert flapping, tickets acknowledged minutes later, daily deploys
of which some cause incidents, incidents that end with a rollback, a few
security incidents, alert names of which some recur (the same failure again,
some within weeks), postmortems of most serious ticketed incidents
(``streams.devtools.simulate_reviews``), and with ``changes_per_deploy`` the
changes those deploys ship (``streams.devtools.simulate_changes``). The same
seed always yields the same events, in event-time order, with deterministic
``event_id``s. Names, postmortems and changes draw from their own random
streams, so a knob of one leaves the others' events as they were.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from streams.devtools.sim_common import iso, poisson
from streams.devtools.simulate_changes import add_changes
from streams.devtools.simulate_reviews import add_reviews

SERVICES = (
    "checkout", "payments", "search", "auth", "catalog", "cart", "shipping", "inventory",
    "notifications", "profile", "reviews", "recommendations",
)  # fmt: skip
SEVERITY_MIX = (("critical", 0.1), ("high", 0.25), ("medium", 0.4), ("low", 0.25))
# Median repair minutes and lognormal sigma per severity.
REPAIR = {"critical": (40, 0.7), "high": (110, 0.8), "medium": (300, 0.9), "low": (900, 1.0)}
TICKET_PROBABILITY = {"critical": 0.95, "high": 0.85, "medium": 0.5, "low": 0.2}
# An alert rule's name is the service, a component and a symptom (CheckoutDbHighLatency).
COMPONENTS = ("Api", "Db", "Cache", "Queue", "Worker", "Dns", "Disk", "Memory")
SYMPTOMS = {
    "availability": ("Down", "HighErrorRate", "ErrorBudgetBurn", "HealthCheckFailing"),
    "performance": ("HighLatency", "Saturation", "SlowResponses", "Backlog"),
}


@dataclass(frozen=True)
class Profile:
    """Knobs of the simulated history (defaults: a busy but healthy fleet)."""

    incidents_per_day: float = 0.3  # per service
    deploys_per_day: float = 2.0  # per service
    cause_share: float = 0.3  # incidents caused by a deploy shortly before
    rollback_share: float = 0.25  # incidents ended by a rollback
    flap_share: float = 0.2  # alerts that resolve and fire again within minutes
    security_share: float = 0.03
    changes_per_deploy: float = 0.0  # changes landed before each release/config deploy (0: none)
    recurring_share: float = 0.15  # incidents that repeat an earlier failure (alert) of the service
    review_share: float = 0.8  # critical/high incidents with a ticket that get a postmortem


def service_names(count: int) -> list[str]:
    """Return ``count`` service names (suffixed once the built-in list runs out)."""
    return [
        SERVICES[i % len(SERVICES)] + (f"-{i // len(SERVICES) + 1}" if i >= len(SERVICES) else "")
        for i in range(count)
    ]


class _History:
    def __init__(self, seed: int, profile: Profile) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.profile = profile
        self.events: list[dict[str, Any]] = []
        self.count = 0
        self.names = random.Random(f"names-{seed}")
        self.failures: dict[tuple[str, str], list[str]] = {}  # (service, category) -> alert names

    def add(self, event_type: str, service: str, at: datetime, **fields: Any) -> None:
        self.count += 1
        self.events.append(
            {
                "event_id": f"sim-{self.seed}-{self.count:07d}",
                "type": event_type,
                "service": service,
                "occurred_at": iso(at),
                **{k: iso(v) if isinstance(v, datetime) else v for k, v in fields.items()},
            }
        )

    def minutes(self, median: float, sigma: float) -> timedelta:
        return timedelta(minutes=median * math.exp(self.rng.gauss(0, sigma)))

    def alert_name(self, service: str, category: str) -> str:
        """Return the alert name of a new incident: an earlier one again, or a new failure.

        With ``recurring_share``, the name of the service's last incident of
        ``category`` (often within days of it) or, as often, of an earlier one
        (often weeks before); otherwise a rule not yet used there, while there is one.
        """
        rng, earlier = self.names, self.failures.setdefault((service, category), [])
        if earlier and rng.random() < self.profile.recurring_share:
            name = earlier[-1] if rng.random() < 0.5 else rng.choice(earlier)
        else:
            rules = [
                f"{service.title().replace('-', '')}{component}{symptom}"
                for component in COMPONENTS
                for symptom in SYMPTOMS[category]
            ]
            unused = [rule for rule in rules if rule not in earlier]
            name = rng.choice(unused or rules)
        earlier.append(name)
        return name

    def severity(self) -> str:
        roll, total = self.rng.random(), 0.0
        for name, share in SEVERITY_MIX:
            total += share
            if roll < total:
                return name
        return "low"


def simulate(
    services: int, days: int, seed: int, end: datetime, profile: Profile | None = None
) -> list[dict[str, Any]]:
    """Return the events of ``days`` days before ``end`` for ``services`` services, by time."""
    history = _History(seed, profile or Profile())
    start = end - timedelta(days=days)
    for service in service_names(services):
        _deploys(history, service, start, end)
        _incidents(history, service, start, end)
    if history.profile.changes_per_deploy > 0:
        per_deploy = history.profile.changes_per_deploy
        history.events += add_changes(history.events, seed, per_deploy, start, end)
    if history.profile.review_share > 0:
        history.events += add_reviews(history.events, seed, history.profile.review_share, end)
    history.events.sort(key=lambda e: (e["occurred_at"], e["event_id"]))
    return history.events


def _deploys(history: _History, service: str, start: datetime, end: datetime) -> None:
    rng, day = history.rng, start
    while day < end:
        for _ in range(poisson(rng, history.profile.deploys_per_day)):
            at = day + timedelta(hours=rng.uniform(8, 18))
            deploy_id = f"{service}-{history.count + 1}"
            kind = "config" if rng.random() < 0.15 else "release"
            history.add("deploy", service, at, deploy_id=deploy_id, status="started", kind=kind)
            done = at + timedelta(minutes=rng.uniform(2, 12))
            status = "failed" if rng.random() < 0.05 else "succeeded"
            if done < end:
                history.add("deploy", service, done, deploy_id=deploy_id, status=status, kind=kind)
        day += timedelta(days=1)


def _incidents(history: _History, service: str, start: datetime, end: datetime) -> None:
    rng, profile = history.rng, history.profile
    free_from = start
    moment = start
    while True:
        moment += timedelta(days=rng.expovariate(profile.incidents_per_day))
        if moment >= end:
            return
        if moment < free_from:  # keep incidents of a service apart
            continue
        severity = history.severity()
        repair = history.minutes(*REPAIR[severity])
        resolved = moment + repair
        if resolved + timedelta(minutes=20) > end:
            return
        _one_incident(history, service, moment, resolved, severity)
        free_from = resolved + timedelta(minutes=30)
        if rng.random() < profile.cause_share:
            cause = moment - timedelta(minutes=rng.uniform(5, 50))
            deploy_id = f"{service}-cause-{history.count + 1}"
            history.add("deploy", service, cause, deploy_id=deploy_id, status="succeeded")


def _one_incident(
    history: _History, service: str, began: datetime, resolved: datetime, severity: str
) -> None:
    rng, profile = history.rng, history.profile
    alert_id = f"{service}-{history.count + 1:x}"
    security = rng.random() < profile.security_share
    category = "security" if security else rng.choice(["availability", "performance"])
    name = "SuspiciousLogins" if security else history.alert_name(service, category)
    detected = began + history.minutes(2, 0.6)
    alert = {"alert_id": alert_id, "name": name, "severity": severity, "category": category,
             "source": "alertmanager"}  # fmt: skip
    history.add("alert", service, detected, status="firing", starts_at=began, **alert)
    if rng.random() < profile.flap_share and detected + timedelta(minutes=8) < resolved:
        blip = detected + timedelta(minutes=rng.uniform(1, 3))
        history.add("alert", service, blip, status="resolved", **alert)
        history.add("alert", service, blip + timedelta(minutes=2), status="firing", **alert)
    history.add("alert", service, resolved, status="resolved", **alert)
    if rng.random() < profile.rollback_share:
        rollback = began + (resolved - began) * rng.uniform(0.4, 0.9)
        rollback_id = f"{service}-rb-{history.count + 1}"
        history.add("deploy", service, rollback, deploy_id=rollback_id, status="succeeded",
                    kind="rollback")  # fmt: skip
    if rng.random() < TICKET_PROBABILITY[severity]:
        ticket_id = f"INC-{history.count + 1}"
        opened = detected + timedelta(minutes=rng.uniform(0.5, 3))
        history.add(
            "ticket",
            service,
            opened,
            ticket_id=ticket_id,
            status="opened",
            severity=severity,
            title=f"{name} on {service}",
            source="pagerduty",
        )
        acknowledged = opened + history.minutes(4, 0.7)
        if acknowledged < resolved:
            history.add("ticket", service, acknowledged, ticket_id=ticket_id,
                        status="acknowledged", source="pagerduty")  # fmt: skip
        closed = resolved + timedelta(minutes=rng.uniform(1, 15))
        history.add("ticket", service, closed, ticket_id=ticket_id, status="resolved",
                    source="pagerduty")  # fmt: skip
