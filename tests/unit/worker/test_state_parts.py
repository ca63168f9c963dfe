"""state_parts: a large state cut into parts at character boundaries and put together again."""

from __future__ import annotations

import orjson

from streams.worker.state_parts import is_head, is_part_key, join, part_key, split


def test_a_state_that_fits_is_not_split() -> None:
    assert split({"members": [1, 2, 3]}, limit=100) is None
    assert split(["x"] * 10, limit=100) is None


def test_parts_never_cut_a_character_and_join_gives_the_state_back() -> None:
    state = {"members": ["é€😀" * 7] * 40, "seen": {"ü": 1}, "watermark": None}
    stored = split(state, limit=64)
    assert stored is not None
    head, parts = stored
    assert is_head(head) and not is_head(state)
    assert all(len(text.encode()) <= 64 for text in parts.values())
    assert join(head, [parts[digest] for digest in head["parts"]]) == state
    assert head["bytes"] == len(orjson.dumps(state))


def test_each_top_level_field_starts_a_new_part() -> None:
    state = {"members": list(range(200)), "seen": {str(n): n for n in range(200)}}
    head, parts = split(state, limit=256)  # type: ignore[misc]
    texts = [parts[digest] for digest in head["parts"]]
    assert any(text.startswith(',"seen":') for text in texts)


def test_part_keys_are_told_apart_from_state_keys() -> None:
    key = orjson.dumps(["checkout", "production"]).decode()
    assert not is_part_key(key)
    assert is_part_key(part_key(key, "0123456789abcdef"))
    assert not is_part_key('["a#0123456789abcdef","b"]')
