"""What the ownership and availability-objective tests share: files, seeding, the worker page.

Both tables are loaded by ``mttr owners`` and ``mttr objectives`` the same way
(``streams/cli/loads.py``), so their tests drive them the same way:

- CLI without a database (unit): ``run_cli`` runs a command group in-process
  against settings pointing at nothing, ``assert_options_have_help`` and
  ``assert_invalid_options_exit_2`` check what both groups promise.
- Real ClickHouse and processes (integration): ``seeded`` migrates and seeds a
  database and closes it (chDB: one process at a time), ``write_file`` writes
  a file to load, ``post_load`` posts a body to a running worker's page, and
  ``running_worker`` holds a worker (started, answering, stopped cleanly).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from clickhouse_connect.driver.client import Client

from streams.cli import main
from streams.devtools.processes import stop_process
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.processes import start_worker, wait_http

CLI_ENV = {"MTTR_CLICKHOUSE_URL": "http://127.0.0.1:9/", "MTTR_WEB_PORT": "9"}
"""Pointed at nothing, so a test that wrongly got as far as loading fails loudly."""


def run_cli(group: str, *args: str) -> tuple[int, str, str]:
    """Run ``mttr GROUP ARGS`` in-process under ``CLI_ENV``: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, [group, *args], env=CLI_ENV)
    return result.exit_code, result.stdout, result.stderr


def assert_options_have_help(group: str, command: str) -> None:
    """Every option of ``mttr GROUP COMMAND`` has help, and the epilog names the settings."""
    code, out, _ = run_cli(group, command, "--help")
    assert code == 0
    options = [line.strip() for line in out.splitlines() if line.strip().startswith("--")]
    assert options and all(len(line.split("  ")) > 1 for line in options), out
    assert "MTTR_CLICKHOUSE_URL" in out


def assert_invalid_options_exit_2(group: str, path: Path, text: str) -> None:
    """A blank ``--source`` (loading a valid file, ``text`` written to ``path``) and a bad ``--at``.

    Both exit 2 with click's message naming the option.
    """
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(group, "load", "--source", " ", str(path))
    assert code == 2 and "Invalid value for '--source': must not be blank" in err
    code, _, err = run_cli(group, "list", "--at", "yesterday")
    assert code == 2 and "Invalid value for '--at'" in err


def seeded(settings: Settings, seed: Callable[[Client], Any]) -> Settings:
    """Migrate the database of ``settings``, ``seed`` it, close it; return ``settings``."""
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        seed(client)
    finally:
        client.close()  # chDB: one process at a time; the CLI runs as another
    return settings


def write_file(directory: Path, name: str, text: str) -> str:
    """Write ``text`` to ``directory/name`` (folders made) and return its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def post_load(settings: Settings, page: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST ``body`` to the worker's ``page`` (e.g. ``/mttr/owners/``): status and JSON answer."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{settings.web_port}{page}", data=body, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@contextmanager
def running_worker(settings: Settings, log_path: Path) -> Iterator[None]:
    """Run a worker while the block runs: started, its status page answering, then stopped (0)."""
    worker = start_worker(settings, log_path)
    try:
        wait_http(f"http://127.0.0.1:{settings.web_port}/mttr/status/")
        yield
    finally:
        assert stop_process(worker) == 0
