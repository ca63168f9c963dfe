"""``mttr migrate`` refuses a ClickHouse older than the version the SQL is tested on."""

from __future__ import annotations

import pytest

from streams.errors import ConfigError
from streams.storage.clickhouse import MIN_SERVER_VERSION, check_server_version


@pytest.mark.parametrize("version", [MIN_SERVER_VERSION + ".1.1", "26.10.1.5", "27.1.2.3"])
def test_the_tested_version_and_newer_are_accepted(version: str) -> None:
    check_server_version(version)


@pytest.mark.parametrize("version", ["25.8.9.20", "26.8.20.9", "24.3.1.1"])
def test_older_servers_are_refused_with_the_minimum_named(version: str) -> None:
    with pytest.raises(ConfigError, match=rf"ClickHouse {version} is older than 26\.9"):
        check_server_version(version)


def test_an_unreadable_version_is_not_a_reason_to_refuse() -> None:
    check_server_version("26.x-custom")
