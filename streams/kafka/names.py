"""Names of the worker's internal topics, derived from the app id."""

from __future__ import annotations

from streams.settings import Settings


def forwarded_topic_name(settings: Settings) -> str:
    """Return the internal topic the correlate agent consumes."""
    return f"{settings.app_id}-events-by-service"


def ticks_topic_name(settings: Settings) -> str:
    """Return the internal topic carrying the idle-completion ticks."""
    return f"{settings.app_id}-ticks"
