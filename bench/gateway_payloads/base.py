"""What a payload builder gets and returns, and the helpers every builder shares.

A builder is ``(Draw) -> Request``: from one draw (a unique id, a unique
number, a unique time, the run's keys and a seeded random generator) it
makes one request of its source, authenticated as that source's sender
authenticates in production, and says how many events the gateway must
answer it with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from bench.gateway_payloads.keys import Keys

TEMPLATES = Path(__file__).resolve().parent / "templates"
EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
SERVICES = tuple(f"svc-{n:02d}" for n in range(40))


@dataclass(frozen=True)
class Request:
    """One request of a source: ``target`` is the path (with its query), ``events`` the count."""

    target: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    events: int = 1


@dataclass(frozen=True)
class Draw:
    """What makes one request distinct: ``uid`` and ``number`` are unique within a run.

    ``at`` is unique too (``number`` milliseconds after ``EPOCH``), so ids
    built from a source's time are distinct as well.
    """

    uid: str
    number: int
    keys: Keys
    rng: random.Random

    @property
    def at(self) -> datetime:
        """A distinct UTC time for this request."""
        return EPOCH + timedelta(milliseconds=self.number)

    @property
    def epoch_ms(self) -> int:
        """``at`` in milliseconds since 1970."""
        return int(self.at.timestamp() * 1000)

    def iso(self, offset_s: float = 0, timespec: str = "milliseconds") -> str:
        """``at`` (plus ``offset_s``) as RFC 3339 with a ``Z``."""
        moment = self.at + timedelta(seconds=offset_s)
        return moment.isoformat(timespec=timespec).replace("+00:00", "Z")

    def service(self) -> str:
        """A service name drawn from 40."""
        return self.rng.choice(SERVICES)


Builder = Callable[[Draw], Request]


@cache
def _template_bytes(source: str) -> bytes:
    return (TEMPLATES / f"{source}.json").read_bytes()


def template(source: str) -> Any:
    """Return a fresh copy of ``templates/<source>.json`` (a real example of the source)."""
    return orjson.loads(_template_bytes(source))


def route(source: str) -> str:
    """Return the path a source is served on (``/events`` for our own contract)."""
    return "/events" if source == "events" else f"/webhooks/{source}"


def bearer(keys: Keys) -> dict[str, str]:
    """The gateway token as ``Authorization: Bearer`` (Alertmanager's ``http_config``)."""
    return {"Content-Type": "application/json", "Authorization": f"Bearer {keys.token}"}


def basic(keys: Keys) -> dict[str, str]:
    """The gateway token as the password of ``Authorization: Basic`` (a user in the URL)."""
    credential = base64.b64encode(f"mttr:{keys.token}".encode()).decode("ascii")
    return {"Content-Type": "application/json", "Authorization": f"Basic {credential}"}


def in_query(source: str, keys: Keys) -> str:
    """The route with the gateway token as ``?token=`` (senders that only take a URL)."""
    return f"{route(source)}?token={keys.token}"


def hmac_hex(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` under ``secret``."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def dumps(payload: Any) -> bytes:
    """Serialize a payload as compact JSON, as the senders do."""
    return orjson.dumps(payload)
