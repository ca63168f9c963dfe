"""ClickHouse access through clickhouse-connect only: one connect(), one migrate().

``MTTR_CLICKHOUSE_URL`` picks the target. ``chdb://PATH`` runs the embedded
engine (chDB) in this process on a persistent data directory; ``http(s)://``
talks to a server. Both paths run the same SQL through the same client API.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from streams.errors import ConfigError
from streams.settings import Settings, mask_url, project_root

log = logging.getLogger(__name__)

MIN_SERVER_VERSION = "26.9"
"""The oldest ClickHouse the SQL is run against (the engine of the pinned chdb-core).

Older servers may lack what ``sql/`` uses (``enable_block_number_column``,
``ReplacingMergeTree(version, is_deleted)``, the query settings of the
views); ``migrate`` refuses them with a clear error instead of half applying.
"""


def sql_dir() -> Path:
    """Return the folder holding the numbered ``NNN_name.sql`` migrations."""
    return project_root() / "sql"


def connect(settings: Settings) -> Client:
    """Open a client for the configured ClickHouse target.

    Timestamps are returned timezone-aware (UTC). Raises ``ConfigError`` for
    an unsupported URL scheme; connection failures propagate from
    clickhouse-connect with the password masked by the caller's logging.
    """
    url = settings.resolved_clickhouse_url()
    if url.startswith("chdb://"):
        # chdb://var/x would parse as host "var", database "x": always pass an absolute path
        path = Path(url.removeprefix("chdb://") or settings.var_dir / "chdb").resolve()
        path.mkdir(parents=True, exist_ok=True)
        return clickhouse_connect.get_client(dsn=f"chdb://{path}", tz_mode="aware")
    if url.startswith(("http://", "https://")):
        kwargs: dict[str, Any] = {"dsn": url, "tz_mode": "aware", "connect_timeout": 10}
        password = settings.resolved_clickhouse_password()
        if password is not None:
            kwargs["password"] = password
        return clickhouse_connect.get_client(**kwargs)
    msg = f"unsupported ClickHouse URL {mask_url(url)!r}: use chdb://PATH or http(s)://host:port/"
    raise ConfigError(msg)


def split_statements(text: str) -> Iterator[str]:
    r"""Yield the statements of a SQL file, split at ``;`` outside quotes, comments removed.

    Handles ``-- line comments`` (also after a ``;``), ``'strings'`` with
    ``\\'`` or ``''`` escapes, and quoted identifiers.
    """
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    statement: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if quote is not None:
            statement.append(char)
            if char == "\\" and i + 1 < len(text):
                statement.append(text[i + 1])
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
            statement.append(char)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif char == ";":
            chunk = "".join(statement).strip()
            if chunk:
                yield chunk
            statement = []
        else:
            statement.append(char)
        i += 1
    chunk = "".join(statement).strip()
    if chunk:
        yield chunk


@dataclass(frozen=True)
class Migration:
    """One migration file and the statements it holds."""

    name: str
    checksum: str
    statements: list[str]


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """Read ``*.sql`` from ``folder`` (default ``sql/``), in file-name order."""
    folder = folder or sql_dir()
    files = sorted(folder.glob("*.sql"))
    if not files:
        msg = f"no migrations found in {folder}"
        raise ConfigError(msg)
    migrations = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        migrations.append(Migration(path.name, digest, list(split_statements(text))))
    return migrations


def migrate(client: Client, migrations: list[Migration]) -> list[str]:
    """Apply every migration; all statements are idempotent, so re-running is safe.

    Returns the names of files that were new or changed since the last run;
    they are recorded in ``mttr.schema_migrations``. Raises ``ConfigError``
    on a server older than ``MIN_SERVER_VERSION``, before any statement.
    """
    check_server_version(str(client.query("SELECT version()").result_rows[0][0]))
    for migration in migrations:
        for statement in migration.statements:
            client.command(statement)
        log.debug("applied %s (%d statements)", migration.name, len(migration.statements))
    rows = client.query("SELECT name, checksum FROM mttr.schema_migrations FINAL").result_rows
    known = {str(name): str(checksum) for name, checksum in rows}
    changed = [m for m in migrations if known.get(m.name) != m.checksum]
    if changed:
        now = datetime.now(UTC)
        client.insert(
            "mttr.schema_migrations",
            [[m.name, m.checksum, now] for m in changed],
            column_names=["name", "checksum", "applied_at"],
        )
    return [m.name for m in changed]


def check_server_version(version: str) -> None:
    """Raise ``ConfigError`` when ``version`` is older than ``MIN_SERVER_VERSION``."""
    try:
        found = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        log.warning("cannot read the ClickHouse version %r; not checking it", version)
        return
    minimum = tuple(int(part) for part in MIN_SERVER_VERSION.split("."))
    if found < minimum:
        msg = (
            f"ClickHouse {version} is older than {MIN_SERVER_VERSION}, the oldest version the "
            "project's SQL is tested on (docs/scaling.md); upgrade the server"
        )
        raise ConfigError(msg)
