"""The ``mttr`` command line: one sub-command per module in this package."""

from __future__ import annotations

import click

from streams.cli.clickhouse import clickhouse
from streams.cli.common import env_help
from streams.cli.demo import demo
from streams.cli.gateway import gateway
from streams.cli.history_import import import_history
from streams.cli.kafka import kafka
from streams.cli.migrate import migrate
from streams.cli.objectives import objectives
from streams.cli.owners import owners
from streams.cli.publish import publish
from streams.cli.report import report
from streams.cli.schemas import schemas
from streams.cli.simulate import simulate
from streams.cli.worker import worker

COMMON_ENV = ["log_level", "var_dir"]


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
    epilog=env_help(COMMON_ENV, note="Each sub-command's --help lists the variables it reads."),
)
@click.version_option(package_name="mttr-streams", prog_name="mttr")
def main() -> None:
    """Turn alerts, deploys and tickets into incidents and honest MTTR numbers.

    \b
    Typical local session:
      mttr kafka start           # a real single-node Kafka on 127.0.0.1:9092
      mttr migrate               # create the ClickHouse tables (embedded chDB by default)
      mttr worker                # validate, store, correlate into incidents
      mttr publish events.jsonl  # validate and publish events
      mttr gateway               # receive webhooks (Alertmanager, ...) on 127.0.0.1:8080
      mttr import jira issues.json  # a tool's history, with the ids of its webhooks
      mttr owners load owners.yaml  # which team owned which service when
      mttr objectives load slo.yaml # availability objectives: error budgets per month
    """


main.add_command(kafka)
main.add_command(clickhouse)
main.add_command(migrate)
main.add_command(worker)
main.add_command(publish)
main.add_command(schemas)
main.add_command(report)
main.add_command(simulate)
main.add_command(demo)
main.add_command(gateway)
main.add_command(import_history)
main.add_command(owners)
main.add_command(objectives)
