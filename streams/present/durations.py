"""Human-readable durations for terminal output ("1h 12m", "45s", "2d 3h")."""

from __future__ import annotations


def human(seconds: float | None) -> str:
    """Return ``seconds`` as the two largest units, e.g. ``1h 12m``; ``-`` for None.

    Examples: 0 -> "0s", 59.9 -> "59s", 130 -> "2m 10s", 4320 -> "1h 12m",
    90061 -> "1d 1h". Fractions of a second are dropped (never rounded up).
    """
    if seconds is None:
        return "-"
    total = int(seconds)
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        value, total = divmod(total, size)
        if value or (unit == "s" and not parts):
            parts.append(f"{value}{unit}")
        if len(parts) == 2:
            break
    return " ".join(parts)
