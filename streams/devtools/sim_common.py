"""Helpers the simulated histories share (``simulate``, ``simulate_changes``)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """Return ``moment`` as an RFC 3339 UTC string with milliseconds (``...T10:00:00.000Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def poisson(rng: random.Random, mean: float) -> int:
    """Draw from a Poisson distribution (Knuth's method; fine for the small means used here)."""
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count
