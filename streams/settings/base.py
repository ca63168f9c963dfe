"""The base every settings model shares: the ``MTTR_`` prefix, ``.env`` and the config.

Every small model (``KafkaSettings``, ``ClickHouseSettings``, ...) derives from
``MttrSettings``, so each one alone and the composed ``Settings`` read the same
flat ``MTTR_<FIELD>`` namespace with the same rules.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "MTTR_"
MiB = 1024 * 1024


def env_var(field: str) -> str:
    """Return the environment variable that sets ``field``.

    Args:
        field: A settings field name, e.g. ``kafka_heap``.

    Returns:
        The variable name, e.g. ``MTTR_KAFKA_HEAP``.
    """
    return f"{ENV_PREFIX}{field.upper()}"


class MttrSettings(BaseSettings):
    """Base of every settings model: ``MTTR_<FIELD>`` variables and an optional ``.env``.

    Unknown variables are ignored (each small model reads only its own fields)
    and defaults are validated like given values.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )
