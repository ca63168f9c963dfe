"""Helpers for tests that run the real CLI, worker and broker as subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
from kafka import KafkaConsumer
from pydantic import SecretStr

from streams.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """Return os.environ without MTTR_* plus variables reproducing every field of ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTTR_")}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, dict):
            value = orjson.dumps(value).decode()  # complex settings are read as JSON
        env[f"MTTR_{name.upper()}"] = str(value)
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
    return start_mttr("worker", settings, log_path)


def start_mttr(command: str, settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``mttr COMMAND`` (e.g. ``gateway``) in the background, logging to ``log_path``."""
    log = log_path.open("ab")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "streams", command],
        env=settings_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    return process


def start_gateway(settings: Settings, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``mttr gateway`` on 127.0.0.1:``port`` in the background, logging to ``log_path``."""
    env = {
        **settings_env(settings),
        "MTTR_GATEWAY_HOST": "127.0.0.1",
        "MTTR_GATEWAY_PORT": str(port),
    }
    with log_path.open("ab") as log:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "streams", "gateway"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def wait_http(url: str, timeout: float = 60) -> None:
    """Poll ``url`` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f}s")


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


def worker_status(settings: Settings) -> dict | None:
    """Return the worker's /mttr/status/ JSON, or None while it is not serving."""
    import json
    import urllib.error
    import urllib.request

    try:
        url = f"http://127.0.0.1:{settings.web_port}/mttr/status/"
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError):
        return None


def wait_status(settings: Settings, predicate, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def]
    """Poll the status page until ``predicate(status)`` holds; returns that status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = worker_status(settings)
        if status is not None and predicate(status):
            return status
        time.sleep(0.1)
    raise TimeoutError(f"worker status never satisfied the condition: {worker_status(settings)}")
