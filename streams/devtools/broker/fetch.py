"""Fetch the Kafka broker jars from Maven Central with Maven, once, into a cache folder."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from streams.errors import BrokerError

log = logging.getLogger(__name__)

POM = Path(__file__).with_name("pom.xml")
COMPLETE_MARKER = ".complete"


def libs_dir(cache_dir: Path) -> Path:
    """Return the folder holding the jars inside a version's cache folder."""
    return cache_dir / "libs"


def is_fetched(cache_dir: Path) -> bool:
    """Return True when a previous fetch into ``cache_dir`` completed."""
    return (cache_dir / COMPLETE_MARKER).is_file()


def fetch_jars(cache_dir: Path, kafka_version: str) -> Path:
    """Resolve the broker's runtime jars into ``cache_dir/libs`` unless already there.

    Runs ``mvn dependency:copy-dependencies`` on the project's pom. Raises
    ``BrokerError`` with Maven's output when Maven is missing or fails.
    """
    target = libs_dir(cache_dir)
    if is_fetched(cache_dir):
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        msg = "Maven (mvn) is not on PATH; it is needed once to fetch the Kafka jars"
        raise BrokerError(msg)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    log.info("fetching Apache Kafka %s jars with Maven into %s", kafka_version, target)
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-Dkafka.version={kafka_version}",
        f"-DoutputDirectory={target}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0 or not any(target.glob("kafka_2.13-*.jar")):
        output = (result.stdout + result.stderr).strip()[-3000:]
        msg = f"Maven could not fetch Kafka {kafka_version} (exit {result.returncode}):\n{output}"
        raise BrokerError(msg)
    (cache_dir / COMPLETE_MARKER).write_text(kafka_version + "\n", encoding="utf-8")
    return target


def main() -> None:
    """Fetch the jars for the configured version (``python -m streams.devtools.broker.fetch``)."""
    from streams.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings()
    cache = settings.resolved_kafka_cache_dir()
    if is_fetched(cache):
        print(f"Kafka {settings.kafka_version} jars already in {libs_dir(cache)}")
        return
    print(f"Fetching Apache Kafka {settings.kafka_version} jars with Maven into {libs_dir(cache)}")
    fetch_jars(cache, settings.kafka_version)
    print(f"done: {len(list(libs_dir(cache).glob('*.jar')))} jars")


if __name__ == "__main__":
    main()
