"""How the harness starts ours: the real ``mttr worker``, unmodified, with default settings.

Only what places it in the benchmark is set: the broker, the three topics, the
application id (its consumer group), its folder, its chDB path and a free
web port. Everything else is the production default.
"""

from __future__ import annotations

import os
import sys

from bench.pipeline.contract import ContenderConfig


def environment(config: ContenderConfig, web_port: int) -> dict[str, str]:
    """Return the environment of ``mttr worker`` for ``config``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTTR_")}
    env.update(
        MTTR_KAFKA_BOOTSTRAP=config.bootstrap,
        MTTR_TOPIC_ALERTS=config.topics["alert"],
        MTTR_TOPIC_DEPLOYS=config.topics["deploy"],
        MTTR_TOPIC_TICKETS=config.topics["ticket"],
        MTTR_TOPIC_DEAD_LETTER=f"{config.group}-dead-letter",
        MTTR_TOPIC_INCIDENTS=f"{config.group}-incidents",
        MTTR_APP_ID=config.group,
        MTTR_VAR_DIR=config.state_dir,
        MTTR_CLICKHOUSE_URL=f"chdb://{config.chdb_path}",
        MTTR_WEB_PORT=str(web_port),
        MTTR_LOG_LEVEL="warn",
    )
    return env


def command() -> list[str]:
    """Return the command line of the worker."""
    return [sys.executable, "-m", "streams", "worker"]
