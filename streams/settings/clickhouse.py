"""ClickHouse settings: the target URL and its password, and the URL to show in logs."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from streams.settings.masking import mask_url
from streams.settings.paths import VarDirSettings


class ClickHouseSettings(VarDirSettings):
    """Where events and incidents are stored: embedded chDB or a ClickHouse server.

    Reads ``MTTR_CLICKHOUSE_URL``, ``MTTR_CLICKHOUSE_PASSWORD``,
    ``MTTR_CLICKHOUSE_PASSWORD_FILE`` and, inherited from ``VarDirSettings``,
    ``MTTR_VAR_DIR``: without a URL the target is embedded chDB under it. The URL
    and the password are ``SecretStr``, unwrapped only where the client is built.
    """

    clickhouse_url: SecretStr | None = Field(
        None,
        description=(
            "ClickHouse target: chdb://PATH (embedded) or http(s)://user:pass@host:port/. "
            "Default: chdb:// under MTTR_VAR_DIR/chdb."
        ),
    )
    clickhouse_password: SecretStr | None = Field(
        None, description="ClickHouse password (overrides one in the URL); never logged."
    )
    clickhouse_password_file: Path | None = Field(
        None, description="File holding the ClickHouse password (e.g. a mounted secret)."
    )

    def resolved_clickhouse_url(self) -> str:
        """Return the ClickHouse URL to connect to (contains secrets; never log it)."""
        if self.clickhouse_url is not None:
            return self.clickhouse_url.get_secret_value()
        return f"chdb://{self.var_dir / 'chdb'}"

    def clickhouse_url_for_display(self) -> str:
        """Return the ClickHouse URL with the password masked."""
        return mask_url(self.resolved_clickhouse_url())

    def resolved_clickhouse_password(self) -> str | None:
        """Return the password from ``clickhouse_password`` or its file, if configured."""
        if self.clickhouse_password is not None:
            return self.clickhouse_password.get_secret_value()
        if self.clickhouse_password_file is not None:
            return self.clickhouse_password_file.read_text(encoding="utf-8").strip()
        return None
