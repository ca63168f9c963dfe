"""``mttr import SOURCE FILE...``: a tool's history, saved from its REST API, as live events."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from rich.console import Console

from streams.cli.common import env_help, fail, load_settings, publish_with_progress, setup_logging
from streams.gateway.history.base import Document, Imported
from streams.gateway.sources import IMPORTERS, build_importer
from streams.kafka.publish import make_producer
from streams.kafka.topics import ensure_topics

ENV = ["kafka_bootstrap", "topic_alerts", "topic_tickets", "topic_deploys", "pagerduty_services",
       "pagerduty_environment", "jira_status_map", "jira_priority_map", "jira_component_map",
       "jira_service_label_prefix", "jira_default_service", "jira_environment",
       "github_services", "github_environments", "github_rollback_workflows",
       "github_hotfix_workflows", "opsgenie_mode", "opsgenie_close_status",
       "opsgenie_service_tag_prefix", "opsgenie_team_services", "opsgenie_default_service",
       "opsgenie_environment", "gitlab_services", "gitlab_environments"]  # fmt: skip
MAX_SHOWN = 50


@click.command("import", epilog=env_help(ENV))
@click.argument("source", type=click.Choice(sorted(IMPORTERS)))
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Print the events as JSON lines; publish nothing.")
def import_history(source: str, files: tuple[Path, ...], dry_run: bool) -> None:
    """Import SOURCE's history from FILEs saved from its REST API, as its webhooks would.

    \b
    pagerduty  GET /incidents (with log_entries) or GET /log_entries?include[]=incidents
    jira       GET /rest/api/3/search?expand=changelog, or one issue with expand=changelog
    github     an array of deployments, each with its "statuses" array
    opsgenie   an array of alerts (GET /v2/alerts/{id}), each with its "logs" array
    gitlab     {"project": GET /projects/:id, "deployments": GET /projects/:id/deployments}

    Events get the ids of the live webhooks of the same changes, so importing a
    history and then receiving those webhooks stores each event once
    (docs/sources/import.md has the curl commands). Items that cannot be
    converted are reported as FILE: ITEM PATH: reason, the others are still
    published; the exit code is 1 if any item failed. The mapping settings are
    those of `mttr gateway`.
    """
    settings = load_settings()
    setup_logging(settings)
    try:
        importer = build_importer(source, settings)
    except ValueError as exc:
        fail(f"invalid configuration: {exc}", code=2)
    documents, unreadable = _read(files)
    imported = importer.convert(documents)
    errors = unreadable + imported.errors
    if dry_run:
        for event in imported.events:
            click.echo(orjson.dumps(event).decode())
    elif imported.events:
        try:
            ensure_topics(settings)
            producer = make_producer(settings)
        except Exception as exc:  # noqa: BLE001
            fail(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}")
        try:
            publish_with_progress(imported.events, settings, producer, Console(stderr=True))
        finally:
            producer.close()
    _report(errors, imported, dry_run, len(files))
    if errors:
        sys.exit(1)


def _read(files: tuple[Path, ...]) -> tuple[list[Document], list[str]]:
    """Return the parsed files and the errors of those that are not JSON."""
    documents: list[Document] = []
    errors: list[str] = []
    for path in files:
        try:
            documents.append(Document(str(path), orjson.loads(path.read_bytes())))
        except orjson.JSONDecodeError as exc:
            errors.append(f"{path}: not valid JSON: {exc}")
        except OSError as exc:
            errors.append(f"{path}: cannot be read: {exc.strerror}")
    return documents, errors


def _report(errors: list[str], imported: Imported, dry_run: bool, files: int) -> None:
    for error in errors[:MAX_SHOWN]:
        click.echo(f"error: {error}", err=True)
    if len(errors) > MAX_SHOWN:
        click.echo(f"... and {len(errors) - MAX_SHOWN} more errors", err=True)
    kinds: dict[str, int] = {}
    for event in imported.events:
        kinds[event["type"]] = kinds.get(event["type"], 0) + 1
    counts = ", ".join(f"{kind}={n}" for kind, n in sorted(kinds.items())) or "none"
    verb = "Converted" if dry_run else "Published"
    click.echo(
        f"{verb} {len(imported.events)} events ({counts}) from {files} files; "
        f"{imported.ignored} items ignored, {len(errors)} errors",
        err=True,
    )
