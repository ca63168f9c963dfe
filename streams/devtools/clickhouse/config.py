"""The server's configuration files: ``config.xml`` (listeners) and ``users.xml`` (who may do what).

clickhouse-local reads ``config.xml`` from its current directory; ``users.xml``
is named there. Users:

* ``mttr``: read-write, for ``mttr migrate`` and the workers (password
  ``MTTR_CLICKHOUSE_PASSWORD``);
* ``mttr_reader``: read-only (``readonly = 2``: reads, and query settings such
  as Grafana's, but no writes or DDL), for Grafana, ``mttr report`` and
  analysts (password ``MTTR_CLICKHOUSE_READER_PASSWORD``);
* ``default``: the engine itself runs its keep-alive query as ``default``
  without a password (the embedded engine cannot log in otherwise), so this
  user may only start listeners and read ``system.numbers``: no data, no DDL.

Passwords are written as SHA-256 hashes, never in clear; an unset password
is an empty one (a local test server).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import escape

from streams.devtools.broker.ports import HOST

WRITER = "mttr"
READER = "mttr_reader"


def _password(value: str | None) -> str:
    if not value:
        return "<password></password>"
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"<password_sha256_hex>{digest}</password_sha256_hex>"


def config_xml(http_port: int, tcp_port: int, logs: Path) -> str:
    """Return ``config.xml``: listeners on 127.0.0.1 only, logs under ``logs``."""
    return f"""<clickhouse>
  <listen_host>{HOST}</listen_host>
  <http_port>{http_port}</http_port>
  <tcp_port>{tcp_port}</tcp_port>
  <users_config>users.xml</users_config>
  <logger>
    <level>warning</level>
    <log>{escape(str(logs / "clickhouse.log"))}</log>
    <errorlog>{escape(str(logs / "clickhouse.err.log"))}</errorlog>
    <console>0</console>
  </logger>
</clickhouse>
"""


def users_xml(writer_password: str | None, reader_password: str | None) -> str:
    """Return ``users.xml`` with the writer, the read-only reader and the locked ``default``."""
    local = f"<networks><ip>{HOST}</ip></networks><quota>default</quota>"
    return f"""<clickhouse>
  <profiles>
    <default><implicit_select>0</implicit_select></default>
    <reader><readonly>2</readonly><implicit_select>0</implicit_select></reader>
  </profiles>
  <users>
    <default>
      <password></password>{local}<profile>default</profile>
      <grants>
        <query>GRANT SYSTEM LISTEN ON *.*</query>
        <query>GRANT SELECT ON system.numbers</query>
      </grants>
    </default>
    <{WRITER}>{_password(writer_password)}{local}<profile>default</profile></{WRITER}>
    <{READER}>{_password(reader_password)}{local}<profile>reader</profile></{READER}>
  </users>
  <quotas><default></default></quotas>
</clickhouse>
"""


def write_config(
    conf_dir: Path,
    *,
    http_port: int,
    tcp_port: int,
    writer_password: str | None,
    reader_password: str | None,
) -> None:
    """Write both files into ``conf_dir`` (``users.xml`` readable by the owner only)."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    logs = conf_dir.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (conf_dir / "config.xml").write_text(config_xml(http_port, tcp_port, logs), encoding="utf-8")
    users = conf_dir / "users.xml"
    users.touch(mode=0o600)
    users.chmod(0o600)
    users.write_text(users_xml(writer_password, reader_password), encoding="utf-8")
