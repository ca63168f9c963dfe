"""``mttr worker``: run the stream processor until interrupted."""

from __future__ import annotations

import click

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.kafka.log_throttle import throttle_client_logs
from streams.kafka.topics import ensure_topics
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.worker.app import Worker, tune_gc
from streams.worker.build import build_worker

ENV = [
    "kafka_bootstrap",
    "topic_alerts",
    "topic_deploys",
    "topic_tickets",
    "topic_changes",
    "topic_dead_letter",
    "topic_partitions",
    "topic_incidents",
    "store",
    "quiet_period_s",
    "allowed_lateness_s",
    "suspect_window_s",
    "retention_s",
    "idle_flush_s",
    "correlate_in_place",
    "app_id",
    "clickhouse_url",
    "clickhouse_password",
    "clickhouse_password_file",
    "max_message_bytes",
    "sink_batch_size",
    "sink_batch_seconds",
    "sink_retry_max_seconds",
    "dlq_limit_enabled",
    "dlq_max_invalid_ratio",
    "dlq_window",
    "web_host",
    "web_port",
    "log_level",
    "var_dir",
    "slack_webhook_url",
    "slack_link_template",
    "slack_min_severity",
    "teams_webhook_url",
    "teams_link_template",
    "teams_min_severity",
]


@click.command(epilog=env_help(ENV))
@click.option(
    "--migrate/--no-migrate",
    "run_migrations",
    default=True,
    show_default=True,
    help="Apply sql/ migrations (idempotent) before consuming.",
)
def worker(run_migrations: bool) -> None:
    """Consume alert, deploy and ticket events, correlate them into incidents, store both.

    Every valid event lands in mttr.events (deduplicated on event_id) and is
    correlated per (service, environment) into incidents: every incident
    version goes to mttr.incidents and the incidents topic. Every invalid or
    too-late message goes to the dead-letter topic with a `reason` header. A
    status page is served on http://MTTR_WEB_HOST:MTTR_WEB_PORT/mttr/status/ and
    Prometheus metrics on /metrics.
    Stop with Ctrl-C or SIGTERM; offsets are committed only for stored batches.
    """
    settings = load_settings()
    setup_logging(settings)
    state_dir = settings.var_dir / "faust"  # Faust's datadir: it creates only the last level
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the worker's state directory {state_dir} (MTTR_VAR_DIR): {exc}")
    try:
        ensure_topics(settings, internal=True)
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
    try:
        client = connect(settings)
        if run_migrations:
            migrate(client, load_migrations())
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot prepare ClickHouse at {settings.clickhouse_url_for_display()}: {exc}")
    app = build_worker(settings, client)
    tune_gc()
    throttle_client_logs()  # a down broker logs a few lines, not thousands
    Worker(app, loglevel=settings.log_level, quiet=True).execute_from_commandline()
