"""The gateway's HTTP application: webhooks in, acknowledged Kafka events out.

Rules for every endpoint:

* 2xx only after Kafka acknowledged every event of the request (acks=all);
  when Kafka does not answer in time: 503, and nothing is claimed accepted.
* Invalid payloads: 400 with ``{"error": "..."}`` saying exactly what is wrong;
  a bad or missing signature/secret: 401; a body over the limit: 413; a
  service the check needs (SNS's signing certificate) unreachable: 503.
* Well-formed payloads of a kind we do not convert: 202 ``{"ignored": ...}``,
  counted on ``/metrics``.

The gateway is stateless: several can run behind a load balancer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import (
    Converted,
    PayloadError,
    SignatureError,
    UnavailableError,
)
from streams.gateway.adapters.payload import parse_json
from streams.ingest.decode import format_validation_error

log = logging.getLogger(__name__)
disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series (noise)

Publish = Callable[[Sequence[dict[str, Any]]], Awaitable[None]]
Health = Callable[[], Awaitable[None]]
# A source: (raw body, request headers, query parameters) -> events or ignored. A source
# that needs I/O before it can decide (SNS: fetch a certificate) returns an awaitable.
Convert = Callable[[bytes, Mapping[str, str], Mapping[str, str]], Converted | Awaitable[Converted]]
CONTENT_TYPE = "text/plain; version=0.0.4"


class _Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mttr_gateway_requests", "HTTP requests by endpoint and status code.",
            ["endpoint", "code"], registry=self.registry,
        )  # fmt: skip
        self.events = Counter(
            "mttr_gateway_events", "Events acknowledged by Kafka, by source.",
            ["source"], registry=self.registry,
        )  # fmt: skip
        self.ignored = Counter(
            "mttr_gateway_ignored", "Well-formed payloads not converted (202), by source.",
            ["source"], registry=self.registry,
        )  # fmt: skip
        self.rejected = Counter(
            "mttr_gateway_rejected", "Items left out of an otherwise accepted payload, by source.",
            ["source"], registry=self.registry,
        )  # fmt: skip
        self.seconds = Histogram(
            "mttr_gateway_request_seconds", "Request duration, Kafka acknowledgement included.",
            ["endpoint"], registry=self.registry,
        )  # fmt: skip


@dataclass(frozen=True)
class GatewayConfig:
    """Limits of the HTTP layer."""

    max_body_bytes: int
    timeout_s: float


class _Reject(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def validate(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check every event against the contract; ``_Reject(400)`` naming the first bad one."""
    for index, event in enumerate(events):
        try:
            EVENT_ADAPTER.validate_python(event)
        except ValidationError as exc:
            who = event.get("event_id", f"#{index}") if isinstance(event, dict) else f"#{index}"
            raise _Reject(400, f"event {who}: {format_validation_error(exc)}") from None
    return events


def own_events(body: bytes, _headers: Mapping[str, str], _query: Mapping[str, str]) -> Converted:
    """``POST /events``: our contract, one event object or a JSON array of them."""
    payload = parse_json(body)
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        msg = "expected an event object or a non-empty array of events"
        raise PayloadError(msg)
    errors: list[str] = []
    for index, item in enumerate(items):
        try:
            EVENT_ADAPTER.validate_python(item)
        except ValidationError as exc:
            errors.append(f"[{index}] {format_validation_error(exc)}")
    if errors:
        raise PayloadError("; ".join(errors[:20]) + (" ..." if len(errors) > 20 else ""))
    return Converted(events=items)


def create_app(
    config: GatewayConfig,
    sources: Mapping[str, Convert],
    publish: Publish,
    health: Health,
) -> web.Application:
    """Return the aiohttp application.

    Args:
        config: Body limit and request timeout.
        sources: Source name (``alertmanager``, ``github``, ...) to its converter,
            served on ``POST /webhooks/<name>``; ``events`` is served on ``POST /events``.
        publish: Sends validated events and returns once Kafka acknowledged them.
        health: Raises when Kafka is unreachable (``/healthz`` answers 503).
    """
    metrics = _Metrics()
    app = web.Application(client_max_size=config.max_body_bytes)

    async def handle(name: str, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise _Reject(413, f"body exceeds the {config.max_body_bytes} byte limit") from None
        try:
            result = sources[name](body, request.headers, request.query)
            converted = result if isinstance(result, Converted) else await result
        except SignatureError as exc:
            raise _Reject(401, str(exc)) from None
        except PayloadError as exc:
            raise _Reject(400, str(exc)) from None
        except UnavailableError as exc:
            raise _Reject(503, str(exc)) from None
        if converted.ignored is not None:
            metrics.ignored.labels(name).inc()
            return web.json_response({"ignored": converted.ignored}, status=202)
        events = validate(converted.events)
        try:
            await asyncio.wait_for(publish(events), config.timeout_s)
        except Exception as exc:  # KafkaError, timeout: never claim acceptance
            log.warning("%s: Kafka did not acknowledge %d events: %r", name, len(events), exc)
            msg = f"Kafka did not acknowledge the events ({type(exc).__name__}); retry later"
            raise _Reject(503, msg) from None
        metrics.events.labels(name).inc(len(events))
        answer: dict[str, Any] = {
            "accepted": len(events),
            "event_ids": [e["event_id"] for e in events],
        }
        if converted.rejected:
            log.warning("%s: left out %s", name, "; ".join(converted.rejected))
            metrics.rejected.labels(name).inc(len(converted.rejected))
            answer["rejected"] = converted.rejected
        return web.json_response(answer)

    def endpoint(name: str, path: str) -> None:
        async def view(request: web.Request) -> web.Response:
            started = time.monotonic()
            try:
                response = await handle(name, request)
            except _Reject as exc:
                response = web.json_response({"error": str(exc)}, status=exc.status)
            metrics.requests.labels(path, str(response.status)).inc()
            metrics.seconds.labels(path).observe(time.monotonic() - started)
            return response

        app.router.add_post(path, view)

    for name in sources:
        endpoint(name, "/events" if name == "events" else f"/webhooks/{name}")

    async def healthz(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(health(), config.timeout_s)
        except Exception as exc:  # noqa: BLE001
            return web.json_response(
                {"status": "kafka unreachable", "error": repr(exc)}, status=503
            )
        return web.json_response({"status": "ok"})

    async def prometheus(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(metrics.registry), content_type="text/plain")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    app.middlewares.append(_json_errors)
    return app


@web.middleware
async def _json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Answer aiohttp's own errors (404, 405, 413) with a JSON body too."""
    try:
        return await handler(request)  # type: ignore[no-any-return]
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)
