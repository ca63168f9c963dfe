import pytest

from streams.present.durations import human


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (0, "0s"),
        (59.9, "59s"),
        (60, "1m"),
        (130, "2m 10s"),
        (1060, "17m 40s"),
        (3600, "1h"),
        (3900, "1h 5m"),
        (4320, "1h 12m"),
        (86400, "1d"),
        (90061, "1d 1h"),
    ],
)
def test_human(seconds: float | None, text: str) -> None:
    assert human(seconds) == text
