"""The server process: ``python -m streams.devtools.clickhouse.serve CONF_DIR DATA_DIR``.

``chdb.connect()`` cannot open listeners, but the lower-level
``chdb._chdb.query(sql, fmt, path=DATA_DIR)`` runs the whole clickhouse-local
program of the chdb-core wheel, which reads ``config.xml`` from the current
directory. From ``CONF_DIR`` it starts the HTTP and native TCP listeners and
then runs a query that never ends (one row a second from ``system.numbers``,
visible in ``system.processes``: never ``KILL QUERY`` it), so the process
serves until SIGTERM. A taken port makes it exit with code 210.

``import chdb`` opens an embedded session itself, so it is imported before
moving into ``CONF_DIR`` (with no ``config.xml`` in sight).
"""

from __future__ import annotations

import os
import sys

KEEP_SERVING = (
    "SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; "
    "SELECT sleepEachRow(1) FROM system.numbers FORMAT Null SETTINGS "
    "function_sleep_max_microseconds_per_block = 0, max_block_size = 1, max_execution_time = 0"
)


def main(argv: list[str]) -> int:
    """Serve until killed; return non-zero if the engine stops by itself."""
    if len(argv) != 2:  # noqa: PLR2004
        print(
            "usage: python -m streams.devtools.clickhouse.serve CONF_DIR DATA_DIR", file=sys.stderr
        )
        return 2
    conf_dir, data_dir = (os.path.abspath(arg) for arg in argv)
    os.chdir(data_dir)
    from chdb import _chdb  # noqa: PLC0415  # opens an embedded session: no config here

    os.chdir(conf_dir)
    try:
        _chdb.query(KEEP_SERVING, "TabSeparated", path=data_dir)  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001  # the engine's own message is the best one
        print(f"ClickHouse stopped serving: {exc}", file=sys.stderr)
        return 1
    return 1  # the keep-alive query never ends while serving


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
