"""What ``mttr demo`` takes from ``samples/``: the events it publishes, the tables it loads.

``publish_sample`` publishes the hand-checked events (and sends the invalid
lines raw, to show the dead-letter path); ``load_references`` loads which team
owns which service (``samples/owners.yaml``) and the availability objectives
(``samples/objectives.yaml``) through the running worker, by the code paths of
``mttr owners load`` and ``mttr objectives load``. Both files are checked by
tests (``tests/unit/devtools/test_sample_owners.py``, ``test_sample_objectives.py``).
"""

from __future__ import annotations

from pathlib import Path

from kafka import KafkaProducer
from rich.console import Console

from streams.cli.objectives import load_rows as load_objectives
from streams.cli.owners_target import load_rows as load_owners
from streams.ingest.decode import decode_line
from streams.kafka.publish import make_producer, publish_lines
from streams.kafka.security import kafka_python_options
from streams.settings import Settings, project_root
from streams.storage.objectives.files import parse_objective_file
from streams.storage.owners.files import parse_owner_file

OWNERS = project_root() / "samples" / "owners.yaml"
OBJECTIVES = project_root() / "samples" / "objectives.yaml"


def load_references(settings: Settings, console: Console) -> None:
    """Load the sample owners and objectives (source ``file``) through the worker or directly."""
    owners = parse_owner_file(OWNERS)
    _, how = load_owners(settings, "auto", "file", owners.rows)
    console.print(f"      owners of {len(owners.rows)} services loaded{how} ({OWNERS.name})")
    objectives = parse_objective_file(OBJECTIVES)
    _, how = load_objectives(settings, "auto", "file", objectives.rows)
    console.print(
        f"      {len(objectives.rows)} availability objectives loaded{how} ({OBJECTIVES.name})"
    )


def publish_sample(sample: Path, settings: Settings, console: Console) -> list[bytes]:
    """Publish the sample's valid lines; send its invalid ones raw (the dead-letter path)."""
    lines = list(enumerate(sample.read_bytes().splitlines(), start=1))
    producer = make_producer(settings)
    report = publish_lines(lines, settings, producer)
    for number, reason in report.invalid:
        console.print(
            f"      [yellow]{sample.name}:{number}[/] rejected by the publisher: {reason}"
        )
    bad = [
        line
        for _, line in lines
        if line.strip() and isinstance(decode_line(line, max_bytes=10**6), str)
    ]
    raw = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", **kafka_python_options(settings)
    )
    for line in bad:  # what a misbehaving producer would do: send them anyway
        raw.send(settings.topic_alerts, key=b"demo", value=line)
    raw.flush()
    raw.close()
    producer.close()
    console.print(
        f"      {report.published} valid events published; {len(bad)} invalid "
        "lines sent raw to show the dead-letter path"
    )
    return bad
