"""``mttr gateway``: the webhook gateway (stateless HTTP service in front of Kafka)."""

from __future__ import annotations

import asyncio
import logging
import signal

import click
from aiohttp import web

from streams.cli.common import env_help, fail, load_settings, setup_logging
from streams.gateway.access_log import AccessLogger
from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.publisher import KafkaPublisher
from streams.gateway.sources import build_sources, token_routes
from streams.kafka.log_throttle import throttle_client_logs
from streams.kafka.topics import ensure_topics
from streams.settings import Settings

log = logging.getLogger(__name__)
ENV = ["kafka_bootstrap", "gateway_host", "gateway_port", "gateway_max_body_bytes",
       "gateway_timeout_s", "gateway_token", "alertmanager_service_labels", "github_webhook_secret",
       "github_services", "github_environments", "github_rollback_workflows",
       "github_hotfix_workflows", "github_workflow_environment", "jira_webhook_secrets",
       "jira_status_map", "jira_priority_map", "jira_component_map", "jira_service_label_prefix",
       "jira_default_service", "jira_environment", "pagerduty_webhook_secrets",
       "pagerduty_services", "pagerduty_environment", "opsgenie_mode", "opsgenie_close_status",
       "opsgenie_service_tag_prefix", "opsgenie_team_services", "opsgenie_default_service",
       "opsgenie_environment", "newrelic_service_tag", "newrelic_default_service",
       "newrelic_environment", "splunk_service_field", "splunk_severity_field",
       "splunk_time_field", "splunk_status_fields", "splunk_alert_id_field",
       "splunk_alert_key_fields", "splunk_default_service", "splunk_environment",
       "rundeck_jobs", "rundeck_environments", "rundeck_environment", "awx_templates",
       "awx_environments", "awx_environment", "awx_service_var", "awx_environment_var",
       "topic_alerts", "topic_deploys", "topic_tickets", "topic_changes"]  # fmt: skip


@click.command(epilog=env_help(ENV))
def gateway() -> None:
    """Receive webhooks and publish them as contract events to Kafka.

    Endpoints: POST /webhooks/alertmanager (Alertmanager webhook v4),
    POST /webhooks/github (deployment_status, workflow_run; X-Hub-Signature-256
    checked), POST /webhooks/jira (issue created / status changed; X-Hub-Signature
    checked), POST /webhooks/pagerduty (v3 incident events; X-PagerDuty-Signature
    checked), POST /webhooks/opsgenie (alert actions), POST /webhooks/newrelic
    (workflow issues, our payload template), POST /webhooks/splunk (webhook alert
    action), POST /webhooks/rundeck and POST /webhooks/awx (job runs as remediation
    deploys) and POST /events (our contract: one event or a JSON array). /events and
    the unsigned webhook routes take the shared MTTR_GATEWAY_TOKEN (Authorization:
    Bearer, Basic password or ?token=); unset, they are open (trusted network only).
    Also GET /healthz and GET /metrics. A request is answered 2xx only after Kafka acknowledged all
    of its events (acks=all); invalid payloads get 400 with a JSON error, bad
    signatures or tokens 401, oversized bodies 413, unconvertible event kinds 202.
    Stop with Ctrl-C or SIGTERM.
    """
    settings = load_settings()
    setup_logging(settings)
    throttle_client_logs()  # a down broker logs a few lines, not thousands
    try:
        ensure_topics(settings)
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    publisher = KafkaPublisher(settings)
    try:
        await publisher.start()
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
    app = create_app(
        GatewayConfig(settings.gateway_max_body_bytes, settings.gateway_timeout_s),
        build_sources(settings),
        publisher.publish,
        publisher.health,
    )
    if settings.gateway_token is None:
        log.warning(
            "MTTR_GATEWAY_TOKEN is not set: %s accept requests from anyone who can reach "
            "the gateway; expose it only on a trusted network",
            ", ".join(token_routes(settings)),
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log_class=AccessLogger)  # no query string: no token
    await runner.setup()
    site = web.TCPSite(runner, settings.gateway_host, settings.gateway_port)
    await site.start()
    log.info("gateway listening on http://%s:%d", settings.gateway_host, settings.gateway_port)
    click.echo(f"mttr gateway on http://{settings.gateway_host}:{settings.gateway_port}")
    try:
        await stop.wait()  # until SIGTERM or SIGINT
        log.info("stopping: finishing requests in flight")
    finally:
        await runner.cleanup()
        await publisher.stop()
