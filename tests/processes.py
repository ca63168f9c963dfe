"""Helpers for tests that run the real CLI, worker and broker as subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
from kafka import KafkaConsumer

from streams.settings import Settings

ENV_FIELDS = (
    "kafka_bootstrap",
    "topic_alerts",
    "topic_deploys",
    "topic_tickets",
    "topic_dead_letter",
    "app_id",
    "var_dir",
    "web_port",
    "log_level",
    "topic_partitions",
    "sink_batch_seconds",
)


def settings_env(settings: Settings) -> dict[str, str]:
    """Return os.environ without MTTR_* plus the variables reproducing ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTTR_")}
    for name in ENV_FIELDS:
        env[f"MTTR_{name.upper()}"] = str(getattr(settings, name))
    return env


def mttr(*args: str, settings: Settings, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``mttr ARGS`` (as ``python -m streams``) and capture its output."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "streams", *args],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``mttr worker`` in the background, logging to ``log_path``."""
    log = log_path.open("ab")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "streams", "worker"],
        env=settings_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    return process


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM the process, SIGKILL it after ``timeout``; returns its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def consume_all(bootstrap: str, topic: str, expected: int, timeout: float = 30) -> list:
    """Read ``topic`` from the beginning until ``expected`` messages or ``timeout``."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    messages: list = []
    deadline = time.monotonic() + timeout
    try:
        while len(messages) < expected and time.monotonic() < deadline:
            messages.extend(consumer)
    finally:
        consumer.close()
    return messages


def event_type_of(line: bytes) -> str | None:
    """Return the ``type`` field of a JSON line, or None when it has none or is not JSON."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return data.get("type") if isinstance(data, dict) else None
