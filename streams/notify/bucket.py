"""A token bucket for the Slack post rate (pure: the caller passes the time)."""

from __future__ import annotations


class TokenBucket:
    """At most ``capacity`` posts at once, refilled at ``rate`` tokens per second.

    ``reserve(now)`` takes a token and returns how long to wait before using
    it; a token not yet there is borrowed, so waits add up when posts come
    faster than the rate. One caller at a time (the agent has concurrency 1).
    """

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        if rate <= 0 or capacity < 1:
            msg = f"need rate > 0 and capacity >= 1, got {rate} and {capacity}"
            raise ValueError(msg)
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._at = now

    @classmethod
    def per_minute(cls, posts: float, now: float, burst: float = 5) -> TokenBucket:
        """Return a bucket allowing ``posts`` per minute and bursts of ``burst`` (capped)."""
        return cls(posts / 60, max(1.0, min(burst, posts)), now)

    def reserve(self, now: float) -> float:
        """Take one token at monotonic time ``now``; return the seconds to wait first (>= 0)."""
        elapsed = max(0.0, now - self._at)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._at = max(self._at, now)
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
