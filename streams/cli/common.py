"""Helpers shared by the CLI commands: settings, logging and env-var help text."""

from __future__ import annotations

import logging
import sys
from typing import Any, NoReturn

import click
from kafka import KafkaProducer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from streams.errors import MttrError
from streams.kafka.publish import publish_events
from streams.settings import Settings, describe_env

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def env_help(fields: list[str], note: str = "") -> str:
    """Return a ``--help`` epilog listing the environment variables a command reads."""
    rows = describe_env(fields)
    width = max(len(name) for name, _, _ in rows)
    lines = ["\b", "Environment variables:"]
    for name, default, description in rows:
        lines.append(f"  {name.ljust(width)}  {description} [default: {default}]")
    if note:
        lines += ["", note]
    return "\n".join(lines)


def load_settings() -> Settings:
    """Build the settings from the environment, or exit 2 with a readable error."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            (f"MTTR_{'_'.join(str(p) for p in err['loc']).upper()}: " if err["loc"] else "")
            + err["msg"].removeprefix("Value error, ")
            for err in exc.errors(include_url=False, include_input=False)
        )
        fail(f"invalid configuration: {problems}", code=2)


def setup_logging(settings: Settings) -> None:
    """Log to stderr at the configured level."""
    level = {"warn": "WARNING"}.get(settings.log_level, settings.log_level.upper())
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLogger().level))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` to stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run_or_fail(error: MttrError) -> NoReturn:
    """Exit with the message of a project error (no traceback)."""
    fail(str(error))


def publish_with_progress(
    events: list[dict[str, Any]], settings: Settings, producer: KafkaProducer, console: Console
) -> None:
    """Publish valid event dicts with a progress bar on ``console``; exit 1 if any send failed."""
    with Progress(
        "publishing",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("publishing", total=len(events))
        failed = publish_events(events, settings, producer, on_sent=lambda: bar.advance(task))
    if failed:
        fail(f"{len(failed)} events were not acknowledged by Kafka, e.g. {failed[0]}")
