"""The local ClickHouse server: the chdb-core engine serving HTTP and native TCP (dev and tests)."""
