"""Payload builders of the deploy and ticket sources, and of ``POST /events``.

As in ``alerts.py``: each starts from ``templates/<source>.json`` and changes
only the ids and times the adapter reads. GitHub, Jira and PagerDuty bodies
are signed with the run's HMAC secrets, GitLab carries its secret token; the
others carry the gateway token the way their sender can.
"""

from __future__ import annotations

from bench.gateway_payloads.base import (
    Draw,
    Request,
    basic,
    bearer,
    dumps,
    hmac_hex,
    in_query,
    route,
    template,
)

DEPLOY_STATUSES = ("started", "succeeded", "failed")
TICKET_STATUSES = ("opened", "acknowledged", "resolved")


def events(draw: Draw) -> Request:
    """A ``POST /events`` array of 1-5 deploy or ticket events (our contract); bearer token."""
    batch = []
    for index in range(draw.rng.randint(1, 5)):
        event_id = f"bench-{draw.uid}{index}"
        common = {"event_id": event_id, "service": draw.service(), "occurred_at": draw.iso()}
        if draw.rng.random() < 0.5:
            status = draw.rng.choice(DEPLOY_STATUSES)
            batch.append({**common, "type": "deploy", "deploy_id": event_id, "status": status})
        else:
            status = draw.rng.choice(TICKET_STATUSES)
            batch.append(
                {**common, "type": "ticket", "ticket_id": event_id, "status": status,
                 "severity": "high"}
            )  # fmt: skip
    return Request(route("events"), dumps(batch), bearer(draw.keys), len(batch))


def github(draw: Draw) -> Request:
    """A ``deployment_status`` delivery (success), signed with ``X-Hub-Signature-256``."""
    payload = template("github")
    payload["deployment_status"]["id"] = draw.number
    payload["deployment"]["id"] = draw.number
    for part in ("deployment_status", "deployment"):
        payload[part]["created_at"] = payload[part]["updated_at"] = draw.iso(timespec="seconds")
    body = dumps(payload)
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "deployment_status",
        "X-GitHub-Delivery": f"{draw.uid}-github",
        "X-Hub-Signature-256": "sha256=" + hmac_hex(draw.keys.github_secret, body),
    }
    return Request(route("github"), body, headers)


def gitlab(draw: Draw) -> Request:
    """A deployment hook (success) with its secret token in ``X-Gitlab-Token``."""
    payload = template("gitlab")
    payload["deployment_id"] = draw.number
    payload["status_changed_at"] = draw.at.strftime("%Y-%m-%d %H:%M:%S +0000")
    headers = {
        "Content-Type": "application/json",
        "X-Gitlab-Event": "Deployment Hook",
        "X-Gitlab-Token": draw.keys.gitlab_token,
    }
    return Request(route("gitlab"), dumps(payload), headers)


def argocd(draw: Draw) -> Request:
    """An ``on-deployed`` notification of our template; bearer token (webhook service header)."""
    payload = template("argocd")
    payload["app"] = f"{draw.service()}-{draw.uid}"
    payload["operation"]["started_at"] = draw.iso(timespec="seconds")
    payload["operation"]["finished_at"] = draw.iso(1, timespec="seconds")
    return Request(route("argocd"), dumps(payload), bearer(draw.keys))


def jenkins(draw: Draw) -> Request:
    """A Notification plugin ``COMPLETED`` build of a mapped job; the token in the URL."""
    payload = template("jenkins")
    build = payload["build"]
    build["number"] = draw.number
    build["timestamp"] = draw.epoch_ms
    build["full_url"] = f"http://localhost:8080/job/asgard/{draw.number}/"
    return Request(in_query("jenkins", draw.keys), dumps(payload))


def cdevents(draw: Draw) -> Request:
    """A CDEvents ``service.deployed`` (spec v0.4.1 example), binary CloudEvent; bearer token."""
    payload = template("cdevents")
    payload["context"]["id"] = f"{draw.uid}-0000-4000-8000-000000000000"
    context = payload["context"]
    context["timestamp"] = draw.iso(timespec="microseconds")
    headers = bearer(draw.keys) | {  # binary mode: the attributes the CDEvents binding sets
        "ce-specversion": "1.0", "ce-id": context["id"], "ce-source": context["source"],
        "ce-type": context["type"], "ce-subject": payload["subject"]["id"],
        "ce-time": context["timestamp"],
    }  # fmt: skip
    return Request(route("cdevents"), dumps(payload), headers)


def jira(draw: Draw) -> Request:
    """A ``jira:issue_created`` notification, signed with ``X-Hub-Signature`` (sha256)."""
    payload = template("jira")
    issue = payload["issue"]
    issue["id"] = str(draw.number)
    issue["key"] = f"OPS-{draw.number}"
    issue["self"] = f"https://your-domain.atlassian.net/rest/api/2/issue/{draw.number}"
    payload["timestamp"] = draw.epoch_ms
    body = dumps(payload)
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature": "sha256=" + hmac_hex(draw.keys.jira_secret, body),
    }
    return Request(route("jira"), body, headers)


def pagerduty(draw: Draw) -> Request:
    """A v3 ``incident.triggered`` webhook, signed with ``X-PagerDuty-Signature``."""
    payload = template("pagerduty")
    event = payload["event"]
    event["id"] = f"01BENCH{draw.uid}".upper()
    event["occurred_at"] = draw.iso()
    event["data"]["id"] = f"Q{draw.uid}".upper()
    event["data"]["number"] = draw.number
    body = dumps(payload)
    headers = {
        "Content-Type": "application/json",
        "X-PagerDuty-Signature": "v1=" + hmac_hex(draw.keys.pagerduty_secret, body),
    }
    return Request(route("pagerduty"), body, headers)


def servicenow(draw: Draw) -> Request:
    """A new incident from a business rule's REST message; the token as a Basic password."""
    payload = template("servicenow")
    payload["sys_id"] = f"{draw.uid:0>32}"[-32:]
    payload["number"] = f"INC{draw.number:010d}"
    payload["opened_at"] = payload["sys_updated_on"] = draw.at.strftime("%Y-%m-%d %H:%M:%S")
    return Request(route("servicenow"), dumps(payload), basic(draw.keys))


def rundeck(draw: Draw) -> Request:
    """A Rundeck job notification (JSON format, ``onsuccess``) of a mapped job; token in the URL."""
    payload = template("rundeck")
    execution = payload["execution"]
    payload["executionId"] = execution["id"] = draw.number
    execution["date-started"]["unixtime"] = draw.epoch_ms
    execution["date-ended"]["unixtime"] = draw.epoch_ms + 6_000
    return Request(in_query("rundeck", draw.keys), dumps(payload))


def awx(draw: Draw) -> Request:
    """An AWX webhook notification (default body) of a mapped job template; bearer token."""
    payload = template("awx")
    payload["id"] = draw.number
    payload["started"] = draw.iso(timespec="microseconds")
    payload["finished"] = draw.iso(8, timespec="microseconds")
    return Request(route("awx"), dumps(payload), bearer(draw.keys))
